using Akka.Persistence.Journal;

namespace CounterSample;

/// <summary>A write event adapter, registered through Akka.Hosting: tags every counter event with "counter".</summary>
public sealed class CounterTagger : IWriteEventAdapter
{
    public string Manifest(object evt) => "";

    public object ToJournal(object evt) => new Tagged(evt, ["counter"]);
}
