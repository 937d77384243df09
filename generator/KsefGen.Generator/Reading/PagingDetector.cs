using System;
using System.Collections.Generic;
using System.Linq;
using KsefGen.Generator.Model;

namespace KsefGen.Generator.Reading;

/// <summary>Decides which operations are paged lists, and how they page (see <see cref="PagingModel"/>).</summary>
internal static class PagingDetector
{
    /// <summary>The clients with <see cref="OperationModel.Paging"/> filled in from the response models.</summary>
    public static List<ClientModel> Apply(List<ClientModel> clients, IReadOnlyList<ObjectModel> objects)
    {
        var byName = new Dictionary<string, ObjectModel>(StringComparer.Ordinal);
        foreach (var model in objects) byName[model.Name] = model;
        return clients
            .Select(c => c with { Operations = c.Operations.Select(o => o with { Paging = Detect(o, byName) }).ToEquatableArray() })
            .ToList();
    }

    private static PagingModel? Detect(OperationModel operation, IReadOnlyDictionary<string, ObjectModel> objects)
    {
        if (operation.Response.Kind != ResponseKind.Json || operation.Response.Type is not { Kind: TypeKind.Model } page) return null;
        if (page.Name is null || !objects.TryGetValue(page.Name, out var model)) return null;
        var arrays = model.Properties.Where(p => p.Type.Kind == TypeKind.Array).ToList();
        if (arrays.Count != 1) return null;
        var header = operation.Parameters.FirstOrDefault(p => p.Location == ParameterLocation.Header && !p.Required
            && string.Equals(p.WireName, "x-continuation-token", StringComparison.OrdinalIgnoreCase) && p.Type.Kind == TypeKind.String);
        var token = model.Properties.FirstOrDefault(p => p.JsonName == "continuationToken" && p.Type.Kind == TypeKind.String);
        if (header is not null && token is not null) return new PagingModel(true, header, arrays[0], token, page);
        var offset = operation.Parameters.FirstOrDefault(p => p.Location == ParameterLocation.Query && !p.Required
            && p.WireName == "pageOffset" && p.Type.Kind is TypeKind.Int32 or TypeKind.Int64);
        var hasMore = model.Properties.FirstOrDefault(p => p.JsonName == "hasMore" && p.Type.Kind == TypeKind.Boolean);
        return offset is not null && hasMore is not null ? new PagingModel(false, offset, arrays[0], hasMore, page) : null;
    }
}
