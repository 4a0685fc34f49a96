using Akka.Actor.Setup;
using MiniStore;

namespace Akka.Persistence.MiniStore;

/// <summary>
/// Replaces the sync calls (fdatasync, directory fsync) of the MiniStore journal and snapshot store of one actor
/// system, for tests that record or fault them:
/// <c>ActorSystem.Create("app", BootstrapSetup.Create().WithConfig(config).And(new MiniStoreFileSyncSetup(sync)))</c>.
/// Without it the operating system's calls are made.
/// </summary>
public sealed class MiniStoreFileSyncSetup(IFileSync fileSync) : Setup
{
    public IFileSync FileSync { get; } = fileSync;
}
