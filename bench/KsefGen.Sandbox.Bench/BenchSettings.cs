using System.Globalization;

namespace KsefGen.Sandbox.Bench;

/// <summary>What to run and for how long, from the command line.</summary>
internal sealed record BenchSettings
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/KsefGen.Sandbox.Bench -- [mode] [options]
          (no mode)        load run: sandbox vs a bare minimal-API endpoint, 3 scenarios (about 2.5 minutes)
          --quick          the same, short (a smoke run, about 40 seconds)
          --memory         the real sandbox as a child process seeded with >= --invoices invoices: seeding time and RSS
        Load options:
          --connections N  concurrent connections (32)
          --warmup S       warm-up seconds per target and scenario (5; quick 2)
          --duration S     measured seconds per target and scenario, split over the rounds (15; quick 3)
          --rounds N       alternating sandbox/bare rounds per scenario (3; quick 1)
          --large N        invoices in each context's large batch session (the sandbox default, 3000)
          --wrk            also measure every scenario with wrk (Debian package 'wrk'), if it is on PATH
        Memory options:
          --invoices N     at least this many invoices in total (1000000)
          --contexts N     spread over this many contexts, each with one large session (2)
        """;

    public bool Quick { get; init; }
    public bool Memory { get; init; }
    public bool Wrk { get; init; }
    public int Connections { get; init; } = 32;
    public TimeSpan Warmup { get; init; }
    public TimeSpan Duration { get; init; }
    public int Rounds { get; init; }
    public int LargeSession { get; init; } = new SandboxOptions().LargeSessionInvoices;
    public int Invoices { get; init; } = 1_000_000;
    public int Contexts { get; init; } = 2;

    /// <summary>Parses the arguments; null (after printing why) when they are not understood.</summary>
    public static BenchSettings? Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var settings = new BenchSettings
        {
            Quick = quick,
            Memory = args.Contains("--memory"),
            Wrk = args.Contains("--wrk"),
            Warmup = TimeSpan.FromSeconds(quick ? 2 : 5),
            Duration = TimeSpan.FromSeconds(quick ? 3 : 15),
            Rounds = quick ? 1 : 3,
        };
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick" or "--memory" or "--wrk":
                    continue;
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return null;
            }
            if (i + 1 >= args.Length || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                Console.WriteLine($"Not understood: {args[i]}{(i + 1 < args.Length ? " " + args[i + 1] : "")}\n{Usage}");
                return null;
            }
            settings = args[i] switch
            {
                "--connections" => settings with { Connections = (int)value },
                "--warmup" => settings with { Warmup = TimeSpan.FromSeconds(value) },
                "--duration" => settings with { Duration = TimeSpan.FromSeconds(value) },
                "--rounds" => settings with { Rounds = (int)value },
                "--large" => settings with { LargeSession = (int)value },
                "--invoices" => settings with { Invoices = (int)value },
                "--contexts" => settings with { Contexts = Math.Max(2, (int)value) },
                _ => null!,
            };
            if (settings is null)
            {
                Console.WriteLine($"Unknown option {args[i]}\n{Usage}");
                return null;
            }
            i++;
        }
        return settings;
    }
}
