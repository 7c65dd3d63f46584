import ArgumentParser

/// `decrypt-file --format jsonl|csv`, typed, so that `--help` lists the values and a wrong one is
/// a usage error from the parser itself.
enum BatchOutputFormat: String, CaseIterable, ExpressibleByArgument {
    /// JSON Lines: `{"id":…,"ok":true,"data":{…}}` or `{"id":…,"ok":false,"error":{"code":…,"message":…}}`.
    case jsonl
    /// RFC 4180 CSV with a header line.
    case csv
}
