using System.CommandLine;
using System.Numerics;

namespace MiniStore.Cli.Commands;

/// <summary>Arguments several commands take, and the checks of numeric options.</summary>
internal static class CommonArguments
{
    public static Argument<DirectoryInfo> Store() => new("DIR")
    {
        Description = "The store: a directory with journal/ and snapshots/ (as Akka.Hosting sets it up), or a journal directory itself.",
    };

    public static Argument<string> PersistenceId() => new("PID") { Description = "The persistence id." };

    /// <summary>Adds a check that the option's value is from <paramref name="minimum"/> to <paramref name="maximum"/>: a parse error naming the option, not an exception later.</summary>
    public static Option<T> Within<T>(this Option<T> option, T minimum, T maximum) where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (result.Implicit)
                return;
            T value = result.GetValueOrDefault<T>();
            if (value < minimum || value > maximum)
                result.AddError($"{option.Name} must be from {minimum} to {maximum}; got {value}");
        });
        return option;
    }
}
