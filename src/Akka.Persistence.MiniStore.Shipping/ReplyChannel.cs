using System.Threading.Channels;
using Akka.Actor;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// An actor ref that a plugin answers to, as it answers a persistent actor, its replies read in order with
/// <see cref="ReceiveAsync"/>: a journal answers one WriteMessages or ReplayMessages with many messages, which Ask cannot take.
/// </summary>
public sealed class ReplyChannel : IDisposable
{
    private readonly Channel<object> _replies = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ActorSystem _system;

    public ReplyChannel(ActorSystem system)
    {
        _system = system;
        Ref = system.ActorOf(Props.Create(() => new Forwarder(_replies.Writer)));
    }

    public IActorRef Ref { get; }

    public async Task<object> ReceiveAsync(TimeSpan timeout, string waitingFor, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            return await _replies.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {timeout.TotalSeconds:0.#} s while waiting for {waitingFor}");
        }
    }

    public void Dispose() => _system.Stop(Ref);

    private sealed class Forwarder(ChannelWriter<object> writer) : UntypedActor
    {
        protected override void OnReceive(object message) => writer.TryWrite(message);
    }
}
