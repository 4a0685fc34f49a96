using System.Text.Json;
using CounterSample;

namespace CounterProjection;

/// <summary>
/// The read model: each counter's value and number of changes, and the offset of the last event applied. Model and
/// offset are saved together, atomically (a temporary file renamed over the old one), so after a crash they always
/// agree: resuming from the saved offset applies every later event exactly once.
/// </summary>
public sealed class CounterTotals
{
    public long Offset { get; set; }
    public Dictionary<string, int> Values { get; set; } = new();
    public Dictionary<string, int> Changes { get; set; } = new();

    public static CounterTotals Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<CounterTotals>(File.ReadAllText(path))! : new CounterTotals();

    public void Apply(string persistenceId, object evt, long offset)
    {
        Values[persistenceId] = evt switch
        {
            Incremented e => Values.GetValueOrDefault(persistenceId) + e.By,
            ValueSet e => e.Value,
            _ => Values.GetValueOrDefault(persistenceId),
        };
        Changes[persistenceId] = Changes.GetValueOrDefault(persistenceId) + 1;
        Offset = offset;
    }

    public void Save(string path)
    {
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
