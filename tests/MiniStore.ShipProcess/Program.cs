using Akka.Persistence.MiniStore.Shipping;

namespace ShipProcess;

/// <summary>
/// The shipper beside the application, as `ministore ship` will run it, for the tests that kill it with SIGKILL:
/// <c>ShipProcess STORE TARGET.conf follow|once [poll-ms] [batch-size]</c>. Exit 0 when caught up (once), 1 on a shipping error.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = new ShippingOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(args.Length > 3 ? int.Parse(args[3]) : 100),
            BatchSize = args.Length > 4 ? int.Parse(args[4]) : 1000,
            MinBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
            OneShotAttempts = 20,
        };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        try
        {
            await using var shipper = StandaloneShipper.Start(args[0], args[1], options);
            var summary = await shipper.RunAsync(follow: args[2] == "follow", stop.Token);
            Console.WriteLine($"shipped {summary.Events} events, {summary.Snapshots} snapshots of {summary.PersistenceIds} ids up to ordering {summary.Ordering}");
            return 0;
        }
        catch (Exception e) when (e is ShippingException or TargetUnavailableException)
        {
            Console.Error.WriteLine($"ship: {e.Message}");
            return 1;
        }
    }
}
