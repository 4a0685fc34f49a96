using Akka.Actor;

namespace CounterSample;

/// <summary>What both samples do with the counter: print the recovered value, increment it, print the new value.</summary>
public static class CounterDemo
{
    public static async Task<CounterValue> RunAsync(IActorRef counter)
    {
        var before = await counter.Ask<CounterValue>(new GetValue(), TimeSpan.FromSeconds(30));
        Console.WriteLine($"Recovered value {before.Value} at sequence number {before.SequenceNr}, from {before.RecoveredFrom}.");

        foreach (var by in new[] { 1, 2, 3 })
            counter.Tell(new Increment(by));
        var after = await counter.Ask<CounterValue>(new GetValue(), TimeSpan.FromSeconds(30));
        Console.WriteLine($"Incremented by 1, 2 and 3: value is now {after.Value} (sequence number {after.SequenceNr}).");
        return after;
    }
}
