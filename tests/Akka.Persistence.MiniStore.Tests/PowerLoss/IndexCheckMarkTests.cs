using System.Text;
using Akka.Actor;
using Akka.Actor.Setup;
using MiniStore.PowerLoss;
using Xunit;

namespace Akka.Persistence.MiniStore.Tests.PowerLoss;

/// <summary>
/// The event index is appended without fsync; a journal start reads the part written since the last start and then
/// records in <c>index/checked.jsonl</c> that the index is intact up to its length, so later starts skip those bytes.
/// That mark may only become durable after the bytes it vouches for: otherwise a power loss could keep the mark and
/// lose (or zero) the index behind it, and no start would look there again. Two actor systems run one after the other
/// on one recording sync; at the moment the mark is fsync'd, the index must be durable up to the marked length.
/// </summary>
public sealed class IndexCheckMarkTests : IDisposable
{
    private readonly string _root = MiniStoreSpec.NewDirectory();

    public IndexCheckMarkTests() => Directory.CreateDirectory(_root);

    [SkippableFact]
    public async Task The_check_mark_is_fsynced_only_after_the_index_bytes_it_covers()
    {
        Skip.IfNot(RecordingFileSync.IsSupported, "the power-loss recorder needs /proc (Linux)");
        var recording = new RecordingFileSync(_root);
        await PersistAsync(recording, "first start", "a", "b");   // index lines appended, never fsync'd
        await PersistAsync(recording, "second start", "c");       // this start reads them and marks them checked

        string index = Path.Combine(_root, "journal", "index", "events.jsonl");
        string mark = Path.Combine(_root, "journal", "index", "checked.jsonl");
        var model = new PowerLossModel(recording);
        var markSyncs = Enumerable.Range(0, model.Steps.Count).Where(i => model.Steps[i] is FileSynced synced && synced.Path == mark).ToList();
        Assert.True(markSyncs.Count > 0, "no start or stop recorded a check mark");
        long highestChecked = 0;
        foreach (int markSync in markSyncs)
        {
            // Every mark, plain or of a clean stop, vouches for index bytes: "checked" were read whole, "length" (clean stop) were all there was.
            string lastMark = Encoding.UTF8.GetString(((FileSynced)model.Steps[markSync]).Content!).TrimEnd('\n').Split('\n')[^1];
            long checkedTo = long.Parse(System.Text.RegularExpressions.Regex.Match(lastMark, "\"checked\":([0-9]+)").Groups[1].Value);
            var length = System.Text.RegularExpressions.Regex.Match(lastMark, "\"length\":([0-9]+)");
            long vouchedFor = length.Success ? Math.Max(checkedTo, long.Parse(length.Groups[1].Value)) : checkedTo;
            highestChecked = Math.Max(highestChecked, checkedTo);

            var state = model.Synced(markSync + 1);
            Assert.True(state.Files.TryGetValue(index, out var durableIndex), $"a power loss right after the mark {lastMark} was fsync'd would lose the whole index it vouches for");
            Assert.True(durableIndex!.Length >= vouchedFor, $"the mark {lastMark} vouches for {vouchedFor} bytes of the index, but only {durableIndex.Length} were durable when it was fsync'd");
            Assert.Equal(File.ReadAllBytes(index)[..(int)vouchedFor], durableIndex[..(int)vouchedFor]);
        }
        Assert.True(highestChecked > 0, "the second start did not record that it read the index whole");
    }

    /// <summary>Starts an actor system on the recording sync, persists one event per persistence id, and stops it.</summary>
    private async Task PersistAsync(RecordingFileSync recording, string systemName, params string[] persistenceIds)
    {
        var setup = BootstrapSetup.Create().WithConfig(MiniStoreSpec.Configuration(_root, "akka.loglevel = WARNING")).And(new MiniStoreFileSyncSetup(recording));
        var system = ActorSystem.Create(systemName.Replace(' ', '-'), setup);
        try
        {
            var reports = Inbox.Create(system);
            foreach (string id in persistenceIds)
            {
                system.ActorOf(ReportingActor.Props(id, reports.Receiver)).Tell($"event of {id}");
                Assert.IsType<ReportingActor.Recovered>(await reports.ReceiveAsync(TimeSpan.FromSeconds(15)));
                Assert.IsType<ReportingActor.Persisted>(await reports.ReceiveAsync(TimeSpan.FromSeconds(15)));
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
