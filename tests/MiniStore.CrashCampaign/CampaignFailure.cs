namespace MiniStore.CrashCampaign;

/// <summary>An invariant of the store did not hold. The message says which cycle, persistence id and what was seen.</summary>
public sealed class CampaignFailure(string message) : Exception(message);

internal static class Require
{
    public static void That(bool condition, string failure)
    {
        if (!condition)
            throw new CampaignFailure(failure);
    }
}
