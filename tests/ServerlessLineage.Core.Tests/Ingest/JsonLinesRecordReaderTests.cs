using System.Text;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Tests.TestData;

namespace ServerlessLineage.Core.Tests.Ingest;

public sealed class JsonLinesRecordReaderTests
{
    private static readonly string[] Known = ["a", "b", "c"];
    private static readonly string[] Required = ["a", "b"];

    private static List<ReadRecord> Read(string text) => ReadRecord.ReadAll(Encoding.UTF8.GetBytes(text), "t.jsonl", Known, Required);

    [Fact]
    public void MoveNext_Objects_LineNumbersAreFileLines()
    {
        var records = ReadRecord.ReadAll(Encoding.UTF8.GetBytes("\n{\"a\":\"1\"}\r\n  \n{\"a\":\"2\"}"), "t.jsonl", Known, Required, out var reader);

        Assert.Equal([2L, 4L], records.Select(r => r.Line));
        Assert.Equal(["1", "2"], records.Select(r => r[0]));
        Assert.Equal(2, reader.BlankLines);
    }

    [Fact]
    public void MoveNext_Bom_IsSkipped()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat("{\"a\":\"1\"}\n"u8.ToArray()).ToArray();

        var records = ReadRecord.ReadAll(bytes, "t.jsonl", Known, Required);

        Assert.Equal("1", Assert.Single(records)[0]);
    }

    [Fact]
    public void GetValue_EscapedString_IsUnescaped()
    {
        var records = Read("{\"a\":\"x\\\"y\\u00e9\\n\"}\n");

        Assert.Equal("x\"yé\n", records[0][0]);
        Assert.Equal(FieldKind.Text, records[0].Kinds[0]);
    }

    [Fact]
    public void GetValue_Number_IsNumberKindWithRawText()
    {
        var records = Read("{\"a\":1.50e2}\n");

        Assert.Equal((FieldKind.Number, "1.50e2"), (records[0].Kinds[0], records[0][0]));
    }

    [Fact]
    public void GetKind_Null_IsAbsent()
    {
        var records = Read("{\"a\":null,\"b\":\"2\"}\n");

        Assert.Equal([FieldKind.Absent, FieldKind.Text, FieldKind.Absent], records[0].Kinds);
    }

    [Theory]
    [InlineData("{\"a\":true}")]
    [InlineData("{\"a\":false}")]
    [InlineData("{\"a\":{\"x\":1}}")]
    [InlineData("{\"a\":[1,2]}")]
    public void GetKind_BoolObjectOrArray_IsOther(string line)
    {
        var records = Read(line + "\n");

        Assert.False(records[0].IsMalformed);
        Assert.Equal(FieldKind.Other, records[0].Kinds[0]);
    }

    [Fact]
    public void MoveNext_EscapedPropertyName_MapsToKnownField()
    {
        var records = Read("{\"\\u0061\":\"1\"}\n");

        Assert.Equal("1", records[0][0]);
    }

    [Fact]
    public void UnknownFields_UnknownProperty_IsReportedAndIgnored()
    {
        var records = ReadRecord.ReadAll("{\"a\":\"1\",\"zz\":{\"deep\":[1]},\"zz\":2}\n"u8.ToArray(), "t.jsonl", Known, Required, out var reader);

        Assert.False(records[0].IsMalformed);
        Assert.Equal(["zz"], reader.UnknownFields);
    }

    [Fact]
    public void MoveNext_DuplicateKnownProperty_IsMalformed()
    {
        var records = Read("{\"a\":\"1\",\"a\":\"2\"}\n{\"a\":\"3\"}\n");

        Assert.True(records[0].IsMalformed);
        Assert.Contains("'a' appears twice", records[0].Message, StringComparison.Ordinal);
        Assert.Equal((2L, "3"), (records[1].Line, records[1][0]));
    }

    [Theory]
    [InlineData("{\"a\":\"1\"} x", "invalid JSON")]
    [InlineData("{\"a\":\"1\"}{}", "invalid JSON")]
    [InlineData("{\"a\":\"1\"", "invalid JSON")]
    [InlineData("{\"a\":}", "invalid JSON")]
    [InlineData("{a:1}", "invalid JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("\"text\"", "not a JSON object")]
    [InlineData("a,b,c", "invalid JSON")]
    public void MoveNext_BrokenLine_IsMalformedAndNextLineParses(string line, string message)
    {
        var records = Read(line + "\n{\"a\":\"ok\"}\n");

        Assert.True(records[0].IsMalformed);
        Assert.Contains(message, records[0].Message, StringComparison.Ordinal);
        Assert.Equal(line, records[0].RawText);
        Assert.Equal((2L, false, "ok"), (records[1].Line, records[1].IsMalformed, records[1][0]));
    }

    [Fact]
    public void MoveNext_InvalidUtf8_IsMalformedWithRawBytes()
    {
        byte[] line = [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, (byte)'"', (byte)'}'];
        var bytes = line.Concat("\n{\"a\":\"2\"}\n"u8.ToArray()).ToArray();

        var records = ReadRecord.ReadAll(bytes, "t.jsonl", Known, Required);

        Assert.Equal("invalid UTF-8", records[0].Message);
        Assert.Equal(line, records[0].Raw);
        Assert.Equal("2", records[1][0]);
    }

    [Fact]
    public void MoveNext_LineLongerThanMaxBytes_IsMalformedAndNextLineParses()
    {
        var records = Read("{\"a\":\"" + new string('x', BufferedRecordReader.MaxRecordBytes) + "\"}\n{\"a\":\"2\"}\n");

        Assert.Equal(2, records.Count);
        Assert.True(records[0].IsMalformed);
        Assert.Contains("longer than", records[0].Message, StringComparison.Ordinal);
        Assert.Equal((2L, "2"), (records[1].Line, records[1][0]));
    }

    [Fact]
    public void MoveNext_StringValuesAcrossChunks_MatchGeneratedLines()
    {
        var random = new Random(11);
        var text = new StringBuilder();
        var expected = new List<(long Line, string Value)>();
        long line = 1;
        while (text.Length < 700 * 1024)
        {
            if (random.Next(8) == 0)
            {
                text.Append(random.Next(2) == 0 ? "\n" : "\r\n");
                line++;
                continue;
            }

            var value = new string((char)('a' + random.Next(26)), random.Next(0, 5000)) + "é\\\"";
            text.Append("{\"b\":\"").Append(value).Append("\",\"a\":").Append(line).Append('}').Append(random.Next(2) == 0 ? "\n" : "\r\n");
            expected.Add((line, value.Replace("\\\"", "\"", StringComparison.Ordinal)));
            line++;
        }

        var records = Read(text.ToString());

        Assert.Equal(expected.Count, records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(expected[i].Line, records[i].Line);
            Assert.Equal(expected[i].Value, records[i][1]);
            Assert.Equal((FieldKind.Number, expected[i].Line.ToString(System.Globalization.CultureInfo.InvariantCulture)), (records[i].Kinds[0], records[i][0]));
        }
    }
}
