using System.Diagnostics;

namespace MiniStore.Tests;

/// <summary>
/// A log opened read-only on a file nobody may write (not even root): it reads every record and reports a torn tail,
/// never cuts it, and refuses appends and repairs. The file is made unwritable with <c>chattr +i</c>, or else on a
/// tmpfs remounted read-only; where neither can be done the test is skipped.
/// </summary>
public sealed class ReadOnlyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<Action> _undo = new();

    public void Dispose()
    {
        foreach (var undo in _undo)
            undo();
        _dir.Dispose();
    }

    [SkippableFact]
    public void A_log_that_cannot_be_written_reads_reports_its_torn_tail_and_refuses_appends_and_repairs()
    {
        string template = _dir.File("template.log");
        using (var log = MiniStoreLog.Open(template))
        {
            log.AppendJson("{\"i\":0}");
            log.AppendJsonBatch("{\"i\":1}", "{\"i\":2}");
        }
        byte[] intact = File.ReadAllBytes(template);
        byte[] bytes = [.. intact, .. LogTestHelpers.EncodeLineBySpec("{\"i\":3}", more: true), .. "{\"crc\":\"12"u8];
        string path = WriteUnwritable("ro.log", bytes);

        using (var log = MiniStoreLog.Open(path, readOnly: true))
        {
            Assert.True(log.IsReadOnly);
            Assert.Equal(["{\"i\":0}", "{\"i\":1}", "{\"i\":2}"], log.ReadJson());
            Assert.Equal(intact.Length, log.Length);
            Assert.Equal("{\"i\":2}", log.LastRecordAtOpen!.Value.Text());
            Assert.Equal(new TornTail(log.Path, intact.Length, bytes.Length - intact.Length, log.TornTail!.Reason), log.TornTail);

            foreach (var refused in new Action[]
            {
                () => log.AppendJson("{\"i\":4}"),
                () => log.AppendBatches([[LogTestHelpers.Utf8("{\"i\":4}")]]),
                () => log.RepairTail(),
            })
            {
                var e = Assert.Throws<InvalidOperationException>(refused);
                Assert.Contains(path, e.Message);
                Assert.Contains("reading only", e.Message);
            }
            Assert.NotNull(log.TornTail);
            Assert.Equal(intact.Length, log.Seek(r => r.Offset, long.MaxValue));
            Assert.Equal(["{\"i\":0}", "{\"i\":1}", "{\"i\":2}"], log.ReadJson());
        }

        // Opening it to append fails naming it; nothing changed, nothing was copied.
        var write = Assert.ThrowsAny<IOException>(() => MiniStoreLog.Open(path));
        Assert.Contains(path, write.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    /// <summary>Writes <paramref name="content"/> to a new file that cannot be written, even by root; skips the test when that cannot be arranged.</summary>
    private string WriteUnwritable(string name, byte[] content)
    {
        string directory = _dir.File("unwritable");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name);
        File.WriteAllBytes(path, content);

        if (Run("chattr", "+i", path))
        {
            if (!CanWrite(path))
            {
                _undo.Insert(0, () => Run("chattr", "-i", path));
                return path;
            }
            Run("chattr", "-i", path);
        }

        File.Delete(path);
        if (Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", directory))
        {
            _undo.Insert(0, () => Run("umount", directory));
            File.WriteAllBytes(path, content);
            if (Run("mount", "-o", "remount,ro", directory) && !CanWrite(path))
                return path;
        }
        throw new SkipException("neither 'chattr +i' nor a tmpfs remounted read-only could make a file unwritable here (needs root on Linux)");
    }

    private static bool CanWrite(string path)
    {
        try
        {
            using var _ = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool Run(string command, params string[] arguments)
    {
        if (OperatingSystem.IsWindows())
            return false;
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no such command
        }
    }
}
