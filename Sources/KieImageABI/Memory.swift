import CKieImage
import KieImage

#if canImport(Glibc)
import Glibc
#endif

/// Strings handed to C: malloc'd copies owned by the caller, freed with kie_string_free.
enum CString {
    static func copy(_ s: String) -> UnsafeMutablePointer<CChar>? {
        s.withCString { strdup($0) }
    }

    /// Reads a C string argument: NULL, invalid UTF-8 or longer than `limit` bytes is rejected.
    static func read(_ p: UnsafePointer<CChar>?, name: String, limit: Int = 64 << 20) throws(KieError) -> String {
        guard let p else { throw .invalidArgument("\(name) is NULL", field: name) }
        let n = strnlen(p, limit + 1)
        guard n <= limit else { throw .invalidArgument("\(name) is longer than \(limit) bytes", field: name) }
        let bytes = UnsafeRawBufferPointer(start: p, count: n)
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw .invalidArgument("\(name) is not valid UTF-8", field: name)
        }
        return s
    }

    /// Like `read`, but NULL gives nil.
    static func readOptional(_ p: UnsafePointer<CChar>?, name: String) throws(KieError) -> String? {
        guard p != nil else { return nil }
        return try read(p, name: name)
    }

    /// Reads a byte buffer given with its length (webhook bodies may hold NULs).
    static func readBytes(_ p: UnsafePointer<CChar>?, count: Int, name: String) throws(KieError) -> [UInt8] {
        guard let p else { throw .invalidArgument("\(name) is NULL", field: name) }
        guard count >= 0, count <= 64 << 20 else { throw .invalidArgument("\(name) length is out of range", field: name) }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}

/// The thread-local detail of the last failed call (kie_last_error). Only failures replace it.
enum LastError {
    private static let key: pthread_key_t? = {
        var k = pthread_key_t()
        guard pthread_key_create(&k, { free($0) }) == 0 else { return nil }
        return k
    }()
    private static let empty: StaticString = ""

    static func set(_ error: KieError) {
        guard let key, let copy = CString.copy(JSON.serialize(error.json)) else { return }
        let old = pthread_getspecific(key)
        pthread_setspecific(key, copy)
        free(old)
    }

    static func get() -> UnsafePointer<CChar> {
        if let key, let p = pthread_getspecific(key) { return UnsafePointer(p.assumingMemoryBound(to: CChar.self)) }
        return StaticText.pointer(empty)
    }
}

enum StaticText {
    static func pointer(_ s: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}

/// Turns a throwing body into a status, recording the detail of any failure.
func withStatus(_ body: () throws -> Void) -> kie_status {
    do {
        try body()
        return KIE_OK
    } catch {
        return fail(KieError.wrap(error))
    }
}

func fail(_ error: KieError) -> kie_status {
    LastError.set(error)
    return kie_status(rawValue: error.status.rawValue)
}

/// Writes an owned string to an out-parameter (already checked non-NULL).
func put(_ value: String, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws(KieError) {
    guard let p = CString.copy(value) else { throw KieError(.internal, "out of memory") }
    out.pointee = p
}

func requireOut<T>(_ p: UnsafeMutablePointer<T>?, _ name: String) throws(KieError) -> UnsafeMutablePointer<T> {
    guard let p else { throw .invalidArgument("\(name) is NULL", field: name) }
    return p
}
