using Akka.Persistence.Journal;
using CounterSample;

namespace CounterProjection;

/// <summary>Tags the counter's events "counter" as they are written, so a projection can ask for them by tag; the Counter actor itself knows nothing of it.</summary>
public sealed class CounterTagger : IWriteEventAdapter
{
    public const string Tag = "counter";

    public string Manifest(object evt) => "";

    public object ToJournal(object evt) => evt is Incremented or ValueSet ? new Tagged(evt, [Tag]) : evt;
}
