public import ArgumentParser
public import WeChatOpenData

/// `--format jsonl|csv`: the library's formats, typed, so that `--help` lists them and a wrong
/// value is a usage error from the parser itself.
extension BatchDecryptor.Format: ExpressibleByArgument {}
