using System.Text;
using ServerlessLineage.Core.Ingest;

namespace ServerlessLineage.Core.Tests.TestData;

/// <summary>A snapshot (an absent value is null in <see cref="Values"/>) of one record of a <see cref="RecordReader"/>, for assertions after reading the whole file.</summary>
internal sealed record ReadRecord(long Line, int Span, bool IsMalformed, string? Message, byte[] Raw, FieldKind[] Kinds, string[] Values)
{
    public string RawText => Encoding.UTF8.GetString(Raw);

    public string? this[int field] => Values[field];

    /// <summary>Opens <paramref name="content"/> as <paramref name="fileName"/> and snapshots every record.</summary>
    public static List<ReadRecord> ReadAll(byte[] content, string fileName, IReadOnlyList<string> known, IReadOnlyList<string> required) =>
        ReadAll(content, fileName, known, required, out _);

    public static List<ReadRecord> ReadAll(byte[] content, string fileName, IReadOnlyList<string> known, IReadOnlyList<string> required, out RecordReader reader)
    {
        reader = RecordReader.Open(new MemoryStream(content), fileName, known, required);
        var records = new List<ReadRecord>();
        while (reader.MoveNext())
        {
            records.Add(Snapshot(reader));
        }

        reader.Dispose();
        return records;
    }

    public static ReadRecord Snapshot(RecordReader reader)
    {
        var kinds = new FieldKind[reader.KnownFields.Count];
        var values = new string[kinds.Length];
        for (var f = 0; f < kinds.Length; f++)
        {
            kinds[f] = reader.GetKind(f);
            values[f] = kinds[f] == FieldKind.Absent ? null! : Encoding.UTF8.GetString(reader.GetValue(f));
        }

        return new ReadRecord(reader.LineNumber, reader.LineSpan, reader.IsMalformed, reader.MalformedMessage, reader.RawRecord.ToArray(), kinds, values);
    }
}
