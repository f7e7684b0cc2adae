namespace ServerlessLineage.Pipeline.Http;

/// <summary>
/// Route templates of the HTTP API, relative to the <c>/api</c> prefix (the Functions host adds it; the local host mounts the
/// same templates under it). One place, so both hosts serve identical routes.
/// </summary>
public static class ApiRoutes
{
    public const string Prefix = "api";

    /// <summary><c>GET /api/lineage?nodeId=&amp;direction=upstream|downstream|both&amp;depth=&amp;budget=</c>: graph traversal.</summary>
    public const string Lineage = "lineage";

    /// <summary>
    /// <c>POST /api/runs</c>: start a run from a blob reference (JSON body) or an uploaded events file (CSV or JSON-lines body);
    /// 202 for a new run, 200 with the existing run for a blob version that already has one.
    /// </summary>
    public const string Runs = "runs";

    /// <summary><c>GET /api/runs/{runId}</c>: run summary, with the orchestration's live status where the host runs one.</summary>
    public const string Run = "runs/{runId}";

    /// <summary><c>GET /api/runs/{runId}/openlineage[?format=ndjson]</c>: the run tree's OpenLineage events.</summary>
    public const string RunOpenLineage = "runs/{runId}/openlineage";

    /// <summary><c>GET /api/runs/{runId}/prov</c>: the run tree's graph as W3C PROV-JSON.</summary>
    public const string RunProv = "runs/{runId}/prov";

    /// <summary><c>GET /api/subjects/{user}</c>: everything derived from one user's rows (pseudonymised on the way in).</summary>
    public const string Subject = "subjects/{user}";

    /// <summary><c>GET /api/explain?runId=&amp;user=|subject=&amp;item=</c>: backward trace of one recommendation.</summary>
    public const string Explain = "explain";

    /// <summary><c>GET /api/rows?nodeId=&amp;line=|row=</c>: row-level trace from a raw line, cleaned row or example.</summary>
    public const string Rows = "rows";
}
