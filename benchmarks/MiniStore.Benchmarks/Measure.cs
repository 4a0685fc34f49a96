using System.Diagnostics;

namespace MiniStore.Benchmarks;

/// <summary>Runs a scenario once to warm up (discarded), then <c>repeats</c> times, and reports the median rate.</summary>
internal static class Measure
{
    public static async Task<double> RateAsync(string name, int repeats, long operations, Func<int, Task> run)
    {
        await run(0); // warm-up: JIT, file system caches
        var rates = new List<double>();
        for (int i = 1; i <= repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            await run(i);
            rates.Add(operations / watch.Elapsed.TotalSeconds);
        }
        rates.Sort();
        double median = rates[rates.Count / 2];
        Console.WriteLine($"  {name,-58} {median,12:N0} /s   (runs: {string.Join(", ", rates.Select(r => r.ToString("N0")))})");
        return median;
    }

    public static void Ratio(string name, double value, double reference) =>
        Console.WriteLine($"  {name,-58} {value / reference,12:N2} x");
}
