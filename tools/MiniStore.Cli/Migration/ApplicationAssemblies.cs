using System.Reflection;
using System.Runtime.Loader;

namespace MiniStore.Cli.Migration;

/// <summary>
/// The application's assemblies, loaded so that its event and snapshot types can be read from one store and written to
/// the other (MiniStore records name a payload's type; the other journal serializes the object). Their dependencies
/// are looked up beside them.
/// </summary>
internal static class ApplicationAssemblies
{
    public static void Load(IEnumerable<FileInfo> files)
    {
        foreach (var file in files)
        {
            if (!file.Exists)
                throw new MigrationException($"no assembly '{file.FullName}'");
            string directory = file.DirectoryName!;
            AssemblyLoadContext.Default.Resolving += (context, name) =>
                File.Exists(Path.Combine(directory, name.Name + ".dll")) ? context.LoadFromAssemblyPath(Path.Combine(directory, name.Name + ".dll")) : null;
            AssemblyLoadContext.Default.LoadFromAssemblyPath(file.FullName);
        }
    }
}
