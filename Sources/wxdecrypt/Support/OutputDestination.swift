#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `--output PATH` really leads, decided before a byte is written.
///
/// - `-` is standard output.
/// - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` (also reached through
///   a symbolic link) are written through a duplicate of the descriptor the process already
///   has: never opened by path, never replaced.
/// - A symbolic link is followed to its target, so the link itself is never replaced.
/// - A FIFO or a device is written in place.
/// - Anything else is a regular file, new or existing, replaced atomically: named by the
///   directory it really lives in (every link and `..` resolved) so that the temporary file
///   beside it is on the same file system.
///
/// A link, FIFO, device or file owned by another user in a world-writable sticky directory
/// such as /tmp could have been planted there to catch the plaintext: it is refused with
/// `unsafe_output`, exit 74, unless the directory's owner owns it. That is the rule of the
/// kernel's `protected_symlinks`, `protected_fifos` and `protected_regular`, which do not
/// apply by themselves when links are followed here and files are replaced by rename.
enum OutputDestination {
    case standardOutput
    /// A duplicate of the open descriptor `original`, to close when done.
    case descriptor(copy: Int32, original: Int32)
    /// A FIFO or device, with the identity it had when checked.
    case special(path: String, device: dev_t, inode: ino_t)
    case regularFile(directory: String, name: String)

    /// The kernel's limit on symbolic links followed in one path.
    private static let maximumLinks = 40

    static func resolve(_ path: String) throws -> OutputDestination {
        if path == "-" { return .standardOutput }
        var current = path
        for _ in 0...maximumLinks {
            try refusePlantedLinks(inDirectoryOf: current, for: path)
            if let number = openDescriptorNumber(current) {
                let copy = dup(number)
                guard copy >= 0 else { throw failure("'\(path)' names descriptor \(number), which is not open") }
                return .descriptor(copy: copy, original: number)
            }
            var info = stat()
            guard lstat(current, &info) == 0 else {
                guard errno == ENOENT else { throw failure("cannot reach output '\(path)': \(String(cString: strerror(errno)))") }
                return try file(at: current, for: path)
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                let directory = directoryPart(of: current)
                try refuseIfPlanted(owner: info.st_uid, in: directory, what: "a symbolic link", path: path)
                current = try linkTarget(current, from: directory, for: path)
            case S_IFREG:
                try refuseIfPlanted(owner: info.st_uid, in: directoryPart(of: current), what: "a file", path: path)
                return try file(at: current, for: path)
            case S_IFDIR:
                throw failure("output '\(path)' is a directory")
            default:
                let (directory, name) = try resolvedParts(current, for: path)
                try refuseIfPlanted(owner: info.st_uid, in: directory, what: "a FIFO or device", path: path)
                return .special(path: joined(directory, name), device: info.st_dev, inode: info.st_ino)
            }
        }
        throw failure("output '\(path)' goes through more than \(maximumLinks) symbolic links")
    }

    /// The descriptor `path` names without opening anything, if it is one of the names
    /// Linux gives to the process's own open descriptors.
    private static func openDescriptorNumber(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdin": return STDIN_FILENO
        case "/dev/stdout": return STDOUT_FILENO
        case "/dev/stderr": return STDERR_FILENO
        default: break
        }
        // /dev/fd/N, /proc/{self,thread-self,PID}/fd/N and /proc/{self,PID}/task/TID/fd/N.
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        func isNumber(_ part: Substring) -> Bool { !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber } }
        let ownProcess: Set<Substring> = ["self", "thread-self", Substring(String(getpid()))]
        let descriptorPart: Substring?
        switch parts.count {
        case 4 where parts[0].isEmpty && parts[1] == "dev" && parts[2] == "fd":
            descriptorPart = parts[3]
        case 5 where parts[0].isEmpty && parts[1] == "proc" && ownProcess.contains(parts[2]) && parts[3] == "fd":
            descriptorPart = parts[4]
        case 7 where parts[0].isEmpty && parts[1] == "proc" && ownProcess.contains(parts[2]) && parts[3] == "task"
            && isNumber(parts[4]) && parts[5] == "fd":
            descriptorPart = parts[6]
        default:
            descriptorPart = nil
        }
        guard let descriptorPart, isNumber(descriptorPart) else { return nil }
        return Int32(descriptorPart)
    }

    /// A symbolic link anywhere in the directory part of `current` that another user planted in
    /// a world-writable sticky directory is refused, as the kernel's `protected_symlinks` would.
    private static func refusePlantedLinks(inDirectoryOf current: String, for path: String) throws {
        var prefix = current.hasPrefix("/") ? "" : "."
        for component in directoryPart(of: current).split(separator: "/") where component != "." {
            prefix += "/" + component
            var info = stat()
            guard lstat(prefix, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { continue }
            try refuseIfPlanted(owner: info.st_uid, in: directoryPart(of: prefix), what: "a symbolic link on the way", path: path)
        }
    }

    private static func file(at current: String, for path: String) throws -> OutputDestination {
        let (directory, name) = try resolvedParts(current, for: path)
        return .regularFile(directory: directory, name: name)
    }

    /// The real directory of `current` (every link and `..` in it resolved, as the kernel
    /// resolves them) and its last component.
    private static func resolvedParts(_ current: String, for path: String) throws -> (String, String) {
        let name = String(current[(current.lastIndex(of: "/").map(current.index(after:)) ?? current.startIndex)...])
        guard !name.isEmpty, name != ".", name != ".." else { throw failure("output '\(path)' is a directory") }
        guard let resolved = realpath(directoryPart(of: current), nil) else {
            throw failure("cannot reach the directory of output '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        return (String(cString: resolved), name)
    }

    /// Everything before the last component: what a relative link target is relative to.
    private static func directoryPart(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func linkTarget(_ link: String, from directory: String, for path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(link, &buffer, Int(PATH_MAX))
        guard count > 0 else { throw failure("cannot read the link '\(link)': \(String(cString: strerror(errno)))") }
        let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.hasPrefix("/") ? target : joined(directory, target)
    }

    static func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func refuseIfPlanted(owner: uid_t, in directory: String, what: String, path: String) throws {
        var info = stat()
        guard stat(directory, &info) == 0 else { return }
        let openToAll = info.st_mode & S_ISVTX != 0 && info.st_mode & S_IWOTH != 0
        guard openToAll, owner != geteuid(), owner != info.st_uid else { return }
        throw CommandFailure(
            code: "unsafe_output",
            reason: "output '\(path)' is \(what) owned by another user (uid \(owner)) in the world-writable sticky "
                + "directory '\(directory)'; anyone could have planted it there, so it is not written",
            status: ExitStatus.ioError)
    }

    static func failure(_ reason: String) -> CommandFailure {
        CommandFailure(code: "output_failed", reason: reason, status: ExitStatus.ioError)
    }
}
