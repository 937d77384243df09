using System.Globalization;

namespace KsefGen.Runtime.Bench;

/// <summary>What to run, from the command line.</summary>
internal sealed record Settings
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/KsefGen.Runtime.Bench -- [--quick] [options]
          (default)        100,000 invoice statuses of one session, 2 warm-up and 7 measured rounds
          --quick          20,000 invoice statuses, 1 warm-up and 3 measured rounds (a smoke run)
          --invoices N     invoices in the large session (100000; quick 20000)
          --rounds N       measured rounds, each running every path once, alternating (7; quick 3)
          --warmup N       warm-up rounds, not reported (2; quick 1)
          --page-size N    pageSize of every request, 10..1000 (1000)
        """;

    public bool Quick { get; init; }
    public int Invoices { get; init; }
    public int Rounds { get; init; }
    public int Warmup { get; init; }
    public int PageSize { get; init; } = 1000;

    /// <summary>Parses the arguments; null (after printing why) when they are not understood.</summary>
    public static Settings? Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var settings = new Settings
        {
            Quick = quick,
            Invoices = quick ? 20_000 : 100_000,
            Rounds = quick ? 3 : 7,
            Warmup = quick ? 1 : 2,
        };
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    continue;
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return null;
            }
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                Console.Error.WriteLine($"Not understood: {args[i]}");
                Console.Error.WriteLine(Usage);
                return null;
            }
            settings = args[i] switch
            {
                "--invoices" when value > 0 => settings with { Invoices = value },
                "--rounds" when value > 0 => settings with { Rounds = value },
                "--warmup" => settings with { Warmup = value },
                "--page-size" when value is >= 10 and <= 1000 => settings with { PageSize = value },
                _ => null,
            };
            if (settings is null)
            {
                Console.Error.WriteLine($"Not understood: {args[i]} {args[i + 1]}");
                Console.Error.WriteLine(Usage);
                return null;
            }
            i++;
        }
        return settings;
    }
}
