import Foundation

/// A throw-away PostgreSQL cluster for tests: initdb in a temp dir as the `postgres` user (the
/// server refuses root), on a free loopback port, with a password-protected user; stopped and
/// removed by `destroy()`. Needs Debian's `postgresql` package (`make deps`). Reusable by
/// multi-process tests: `url` is what every process names.
final class PostgresHarness: @unchecked Sendable {
    static let bin = "/usr/lib/postgresql/15/bin"
    static let user = "kie"
    /// The cluster's password: tests assert it never appears in errors.
    let password = "pw-" + UUID().uuidString.prefix(12).lowercased()
    let dir: String
    let port: Int

    static var available: Bool { FileManager.default.isExecutableFile(atPath: bin + "/initdb") }

    init() throws {
        dir = NSTemporaryDirectory() + "kie-pg-" + UUID().uuidString.prefix(8)
        port = try ClosedPort.take()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let pwfile = dir + "/pw"
        try password.write(toFile: pwfile, atomically: true, encoding: .utf8)
        try Self.run("/bin/chown", ["-R", "postgres:postgres", dir])
        try asPostgres(Self.bin + "/initdb", ["-D", dir + "/data", "-U", Self.user, "--pwfile=" + pwfile,
                                             "-A", "scram-sha-256", "--no-sync", "-E", "UTF8"])
        try start()
    }

    /// `postgresql://kie:PASSWORD@127.0.0.1:PORT/DB`.
    func url(database: String = "postgres", withPassword: Bool = true) -> String {
        "postgresql://\(Self.user)\(withPassword ? ":" + password : "")@127.0.0.1:\(port)/\(database)"
    }

    func start() throws {
        try asPostgres(Self.bin + "/pg_ctl", ["-D", dir + "/data", "-l", dir + "/log", "-w", "-t", "60", "start", "-o",
                                             "-p \(port) -k \(dir) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"])
    }

    func stop() throws {
        try asPostgres(Self.bin + "/pg_ctl", ["-D", dir + "/data", "-w", "-t", "60", "stop", "-m", "fast"])
    }

    func destroy() {
        try? asPostgres(Self.bin + "/pg_ctl", ["-D", dir + "/data", "-w", "-t", "60", "stop", "-m", "immediate"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A new empty database; returns its name.
    func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.prefix(8).lowercased()
        _ = try psql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL with psql as the test user; returns its unaligned output.
    @discardableResult
    func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Self.run("/usr/bin/psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url(database: database), "-c", sql])
    }

    /// pg_dump of a database (schema and data), as text.
    func dump(database: String) throws -> String {
        try Self.run(Self.bin + "/pg_dump", ["-d", url(database: database)])
    }

    @discardableResult
    private func asPostgres(_ tool: String, _ args: [String]) throws -> String {
        try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", "/usr/bin/env", "-C", dir, tool] + args)
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Runs a tool to its end (posix_spawn + waitpid: Foundation's Process did not reap its
    /// children when waited on from a test task). Output goes to a file, not a pipe: the server
    /// pg_ctl starts would keep a pipe open.
    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> String {
        let outPath = NSTemporaryDirectory() + "kie-pg-out-" + UUID().uuidString
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([tool] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, tool, &actions, nil, argv, environ)
        guard rc == 0 else { throw Failure(description: "cannot start \(tool): \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        guard exited == 0 else { throw Failure(description: "\(tool) exited \(exited): \(text)") }
        return text
    }
}
