using Akka.Actor;
using Akka.Hosting;
using CounterSample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Akka.Persistence.MiniStore.Hosting.Tests;

/// <summary>A generic host running the sample's counter on a MiniStore configured only through Akka.Hosting.</summary>
internal sealed class HostedCounter : IAsyncDisposable
{
    private readonly IHost _host;

    private HostedCounter(IHost host, IActorRef counter)
    {
        _host = host;
        Counter = counter;
    }

    public IActorRef Counter { get; }

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    public static async Task<HostedCounter> StartAsync(Action<AkkaConfigurationBuilder> persistence)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHealthChecks();
        builder.Services.AddAkka("hosted-counter", akka =>
        {
            persistence(akka);
            akka.WithActors((system, registry) => registry.Register<Counter>(system.ActorOf(Props.Create(() => new Counter("counter-1")), "counter")));
        });
        var host = builder.Build();
        await host.StartAsync();
        var counter = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<Counter>();
        return new HostedCounter(host, counter);
    }

    public Task<CounterValue> ValueAsync() => Counter.Ask<CounterValue>(new GetValue(), TimeSpan.FromSeconds(30));

    public Task<HealthReport> HealthAsync() => _host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
