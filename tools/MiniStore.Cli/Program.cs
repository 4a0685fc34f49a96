using MiniStore.Cli;

return await MiniStoreCli.RunAsync(args, Console.Out, Console.Error);
