using Akka.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// The shipper's health, for Akka.Hosting's health checks: Healthy while the backlog is young (the target may be away
/// for a while: the device keeps storing), Degraded once the oldest event not shipped is older than
/// <see cref="ShippingOptions.DegradedLag"/> (or the backlog larger than <see cref="ShippingOptions.DegradedBacklog"/>),
/// Unhealthy when shipping halted on a problem that needs someone, or the shipper does not run.
/// </summary>
public sealed class ShippingHealthCheck(string shipperName) : IAkkaHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(AkkaHealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check(MiniStoreShipping.Get(context.ActorSystem).Shipper(shipperName), shipperName));

    public static HealthCheckResult Check(StoreShipper? shipper, string name)
    {
        if (shipper is null)
            return HealthCheckResult.Unhealthy($"MiniStore shipper '{name}' is not started");
        var status = shipper.Status;
        var lag = status.CurrentLag;
        var data = new Dictionary<string, object>
        {
            ["state"] = status.State.ToString(),
            ["backlog.events"] = status.BacklogEvents,
            ["backlog.bytes"] = status.BacklogBytes,
            ["lag.seconds"] = Math.Round(lag.TotalSeconds, 3),
            ["shipped.events"] = status.ShippedEvents,
        };
        string backlog = $"{status.BacklogEvents} events ({status.BacklogBytes} bytes) behind, oldest {lag.TotalSeconds:0.#} s old";
        string target = status.UnavailableSince is { } since ? $"; the target is unavailable since {since:u} ({status.Problem})" : "";
        switch (status.State)
        {
            case ShippingState.Halted:
                return HealthCheckResult.Unhealthy($"MiniStore shipper '{name}' halted: {status.Problem} ({backlog})", data: data);
            case ShippingState.Stopped:
                return HealthCheckResult.Unhealthy($"MiniStore shipper '{name}' is stopped{(status.Problem is { } why ? $": {why}" : "")} ({backlog})", data: data);
        }
        var options = shipper.Options;
        if (lag > options.DegradedLag || (options.DegradedBacklog is { } most && status.BacklogEvents > most))
            return HealthCheckResult.Degraded($"MiniStore shipper '{name}' is {backlog}{target}", data: data);
        return HealthCheckResult.Healthy($"MiniStore shipper '{name}': {backlog}{target}", data);
    }
}
