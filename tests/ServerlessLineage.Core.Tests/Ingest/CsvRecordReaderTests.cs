using System.Text;
using ServerlessLineage.Core.Ingest;
using ServerlessLineage.Core.Tests.TestData;

namespace ServerlessLineage.Core.Tests.Ingest;

public sealed class CsvRecordReaderTests
{
    private static readonly string[] Known = ["a", "b", "c"];
    private static readonly string[] Required = ["a", "b"];

    private static List<ReadRecord> Read(string text) => Read(Encoding.UTF8.GetBytes(text));

    private static List<ReadRecord> Read(byte[] bytes) => ReadRecord.ReadAll(bytes, "test.csv", Known, Required);

    [Fact]
    public void MoveNext_SimpleRows_LineNumbersCountTheHeader()
    {
        var records = Read("a,b,c\n1,2,3\n4,5,6\n");

        Assert.Equal([2L, 3L], records.Select(r => r.Line));
        Assert.All(records, r => Assert.Equal(1, r.Span));
        Assert.Equal(["4", "5", "6"], records[1].Values);
    }

    [Fact]
    public void MoveNext_QuotedFieldWithEmbeddedNewline_ReportsFirstLineAndSpan()
    {
        var records = Read("a,b,c\n1,\"x\ny\nz\",3\n4,5,6\n");

        Assert.Equal(2, records.Count);
        Assert.Equal((2L, 3), (records[0].Line, records[0].Span));
        Assert.Equal("x\ny\nz", records[0][1]);
        Assert.Equal((5L, 1), (records[1].Line, records[1].Span));
    }

    [Fact]
    public void MoveNext_CrlfWithEmbeddedCrlf_KeepsEmbeddedCrlfAndStripsRecordEnd()
    {
        var records = Read("a,b,c\r\n1,\"x\r\ny\",3\r\n4,5,6\r\n");

        Assert.Equal(["1", "x\r\ny", "3"], records[0].Values);
        Assert.Equal((2L, 2), (records[0].Line, records[0].Span));
        Assert.Equal(["4", "5", "6"], records[1].Values);
        Assert.Equal(4L, records[1].Line);
    }

    [Fact]
    public void RawRecord_MultiLineRecord_IsTheRecordWithoutItsLineBreak()
    {
        var records = Read("a,b,c\r\n1,\"x\r\ny\",3\r\n");

        Assert.Equal("1,\"x\r\ny\",3", records[0].RawText);
    }

    [Fact]
    public void MoveNext_Bom_IsSkippedBeforeTheHeader()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("a,b,c\n1,2,3\n")).ToArray();

        var records = Read(bytes);

        Assert.Equal(["1", "2", "3"], Assert.Single(records).Values);
        Assert.Equal(2L, records[0].Line);
    }

    [Fact]
    public void MoveNext_BlankLines_AreCountedAndNotRecords()
    {
        var records = ReadRecord.ReadAll(Encoding.UTF8.GetBytes("\n\r\na,b,c\n\n1,2,3\r\n\r\n4,5,6\n\n"), "t.csv", Known, Required, out var reader);

        Assert.Equal([5L, 7L], records.Select(r => r.Line));
        Assert.Equal(5, reader.BlankLines);
        Assert.Equal(2, reader.RecordCount);
    }

    [Fact]
    public void Header_AfterBlankLines_IsTheFirstNonBlankLine()
    {
        using var reader = (CsvRecordReader)RecordReader.Open(new MemoryStream(Encoding.UTF8.GetBytes("\n\nc,A,b\n3,1,2\n")), "t.csv", Known, Required);

        Assert.Equal(3, reader.HeaderLine);
        Assert.Equal(["c", "A", "b"], reader.Header);
        Assert.True(reader.MoveNext());
        Assert.Equal("1", Encoding.UTF8.GetString(reader.GetValue(0)));
        Assert.Equal(4, reader.LineNumber);
    }

    [Fact]
    public void MoveNext_LastLineWithoutLineBreak_IsARecord()
    {
        var records = Read("a,b,c\n1,2,3");

        Assert.Equal(["1", "2", "3"], Assert.Single(records).Values);
    }

    [Fact]
    public void MoveNext_QuotedLastFieldAtEndOfFile_IsARecord()
    {
        var records = Read("a,b,c\n1,2,\"3\"\"\"");

        Assert.Equal("3\"", Assert.Single(records)[2]);
    }

    [Fact]
    public void GetKind_ColumnNotInHeader_IsAbsent()
    {
        var records = Read("b,a\n2,1\n");

        Assert.Equal([FieldKind.Text, FieldKind.Text, FieldKind.Absent], records[0].Kinds);
    }

    [Fact]
    public void GetValue_EmptyField_IsEmptyText()
    {
        var records = Read("a,b,c\n1,,\"\"\n");

        Assert.Equal([FieldKind.Text, FieldKind.Text, FieldKind.Text], records[0].Kinds);
        Assert.Equal(["1", string.Empty, string.Empty], records[0].Values);
    }

    [Fact]
    public void UnknownFields_ExtraColumn_IsReportedAndIgnored()
    {
        var records = ReadRecord.ReadAll(Encoding.UTF8.GetBytes("a,extra,b,c\n1,x,2,3\n"), "t.csv", Known, Required, out var reader);

        Assert.Equal(["extra"], reader.UnknownFields);
        Assert.Equal(["1", "2", "3"], records[0].Values);
    }

    [Fact]
    public void MoveNext_TooFewFields_IsMalformedAndNextRowParses()
    {
        var records = Read("a,b,c\n1,2\n4,5,6\n");

        Assert.True(records[0].IsMalformed);
        Assert.Contains("expected 3 fields, found 2", records[0].Message, StringComparison.Ordinal);
        Assert.Equal("1,2", records[0].RawText);
        Assert.All(records[0].Kinds, k => Assert.Equal(FieldKind.Absent, k));
        Assert.False(records[1].IsMalformed);
        Assert.Equal(3L, records[1].Line);
    }

    [Fact]
    public void MoveNext_TooManyFields_IsMalformed()
    {
        var records = Read("a,b,c\n1,2,3,4\n4,5,6\n");

        Assert.True(records[0].IsMalformed);
        Assert.Contains("found 4", records[0].Message, StringComparison.Ordinal);
        Assert.Equal(["4", "5", "6"], records[1].Values);
    }

    [Fact]
    public void MoveNext_QuoteInsideUnquotedField_IsMalformedAndNextRowParses()
    {
        var records = Read("a,b,c\n1,ab\"c,3\n4,5,6\n");

        Assert.True(records[0].IsMalformed);
        Assert.Equal("a quote inside an unquoted field", records[0].Message);
        Assert.Equal("1,ab\"c,3", records[0].RawText);
        Assert.Equal((3L, false), (records[1].Line, records[1].IsMalformed));
    }

    [Fact]
    public void MoveNext_JunkAfterClosingQuote_IsMalformedAndNextRowParses()
    {
        var records = Read("a,b,c\n1,\"ab\"c,3\n4,5,6\n");

        Assert.True(records[0].IsMalformed);
        Assert.Equal("unexpected character after a closing quote", records[0].Message);
        Assert.Equal((3L, false), (records[1].Line, records[1].IsMalformed));
    }

    [Fact]
    public void MoveNext_UnterminatedQuoteAtEndOfFile_ReportsFirstLineThenParsesFollowingLines()
    {
        var records = Read("a,b,c\n1,\"open,3\n4,5,6\n7,8,9\n");

        Assert.Equal(3, records.Count);
        Assert.True(records[0].IsMalformed);
        Assert.Equal("unterminated quoted field", records[0].Message);
        Assert.Equal("1,\"open,3", records[0].RawText);
        Assert.Equal([3L, 4L], records.Skip(1).Select(r => r.Line));
        Assert.All(records.Skip(1), r => Assert.False(r.IsMalformed));
    }

    [Fact]
    public void MoveNext_MultiLineRecordWithWrongFieldCount_ReportsFirstLineAndResumesOnTheNext()
    {
        var records = Read("a,b,c\n1,\"x\ny\"\n4,5,6\n");

        Assert.Equal([2L, 3L, 4L], records.Select(r => r.Line));
        Assert.Equal([true, true, false], records.Select(r => r.IsMalformed));
        Assert.Equal("1,\"x", records[0].RawText);
        Assert.Equal("y\"", records[1].RawText);
    }

    [Fact]
    public void MoveNext_QuotedFieldWithMaxLineBreaks_IsOneRecord()
    {
        var value = string.Concat(Enumerable.Repeat("\n", CsvRecordReader.MaxRecordLines));
        var records = Read($"a,b,c\n1,\"{value}\",3\n4,5,6\n");

        Assert.Equal(2, records.Count);
        Assert.Equal(CsvRecordReader.MaxRecordLines + 1, records[0].Span);
        Assert.Equal(value, records[0][1]);
        Assert.Equal(3L + CsvRecordReader.MaxRecordLines, records[1].Line);
    }

    [Fact]
    public void MoveNext_QuotedFieldOpenPastMaxLines_IsMalformedAndLinesInsideAreRecords()
    {
        var inside = string.Concat(Enumerable.Repeat("4,5,6\n", CsvRecordReader.MaxRecordLines + 1));
        var records = Read($"a,b,c\n1,\"open\n{inside}x\",3\n7,8,9\n");

        Assert.True(records[0].IsMalformed);
        Assert.Equal("unterminated quoted field", records[0].Message);
        var rows = records.Skip(1).Take(CsvRecordReader.MaxRecordLines + 1).ToList();
        Assert.Equal(Enumerable.Range(3, CsvRecordReader.MaxRecordLines + 1).Select(l => (long)l), rows.Select(r => r.Line));
        Assert.All(rows, r => Assert.False(r.IsMalformed));
        var closing = records[^2];
        Assert.True(closing.IsMalformed);
        Assert.Equal("x\",3", closing.RawText);
        Assert.Equal((closing.Line + 1, false), (records[^1].Line, records[^1].IsMalformed));
    }

    [Fact]
    public void MoveNext_InvalidUtf8_IsMalformedWithRawBytes()
    {
        var bytes = Encoding.UTF8.GetBytes("a,b,c\n1,X,3\n4,5,6\n");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;

        var records = Read(bytes);

        Assert.True(records[0].IsMalformed);
        Assert.Equal("invalid UTF-8", records[0].Message);
        Assert.Equal(new byte[] { (byte)'1', (byte)',', 0xFF, (byte)',', (byte)'3' }, records[0].Raw);
        Assert.Equal((3L, false), (records[1].Line, records[1].IsMalformed));
    }

    [Fact]
    public void MoveNext_RecordLongerThanMaxBytes_IsMalformedAndNextRowParses()
    {
        var longField = new string('x', BufferedRecordReader.MaxRecordBytes + 10);
        var records = Read($"a,b,c\n1,{longField},3\n4,5,6\n");

        Assert.Equal(2, records.Count);
        Assert.True(records[0].IsMalformed);
        Assert.Contains("longer than", records[0].Message, StringComparison.Ordinal);
        Assert.Equal((3L, false), (records[1].Line, records[1].IsMalformed));
        Assert.Equal(["4", "5", "6"], records[1].Values);
    }

    [Fact]
    public void MoveNext_ManyBlankAndMultiLineRecordsAcrossChunks_MatchReferenceLineNumbers()
    {
        foreach (var newline in new[] { "\n", "\r\n" })
        {
            var random = new Random(7);
            var text = new StringBuilder("a,b,c").Append(newline);
            var expected = new List<(long Line, int Span, string B)>();
            long line = 2;
            while (text.Length < 900 * 1024)
            {
                if (random.Next(10) == 0)
                {
                    text.Append(newline);
                    line++;
                    continue;
                }

                var breaks = random.Next(4) == 0 ? random.Next(1, 6) : 0;
                var pieces = Enumerable.Range(0, breaks + 1).Select(_ => new string((char)('a' + random.Next(26)), random.Next(0, 3000)));
                var b = string.Join(newline, pieces);
                var quoted = breaks > 0 || random.Next(2) == 0;
                text.Append(line).Append(',').Append(quoted ? "\"" + b + "\"" : b).Append(",z").Append(newline);
                expected.Add((line, breaks + 1, b));
                line += breaks + 1;
            }

            var records = Read(text.ToString());

            Assert.Equal(expected.Count, records.Count);
            for (var i = 0; i < records.Count; i++)
            {
                Assert.False(records[i].IsMalformed, records[i].Message);
                Assert.Equal(expected[i].Line, records[i].Line);
                Assert.Equal(expected[i].Span, records[i].Span);
                Assert.Equal(expected[i].Line.ToString(System.Globalization.CultureInfo.InvariantCulture), records[i][0]);
                Assert.Equal(expected[i].B, records[i][1]);
            }
        }
    }
}
