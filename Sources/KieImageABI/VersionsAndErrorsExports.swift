// C API section 1. Versions and errors
import CKieImage
import KieImage

#if canImport(Glibc)
import Glibc
#endif

/// Library version as "MAJOR.MINOR.PATCH". Static storage: never free it. Any thread.
@c(kie_version)
public func kieVersion() -> UnsafePointer<CChar> {
    versionText
}

/// Made once from `KieImageVersion` and never freed: callers keep the pointer for the process.
nonisolated(unsafe) private let versionText: UnsafePointer<CChar> =
    strdup(KieImageVersion.string).map { UnsafePointer($0) } ?? StaticText.pointer("0.0.0")

/// ABI version of the loaded library; equals KIE_ABI_VERSION of the header it was built with.
/// Bindings compare the two at load time. Any thread.
@c(kie_abi_version)
public func kieABIVersion() -> Int32 {
    KieImageVersion.abi
}

/// Static English text for a status; never NULL, never free it. Unknown numbers give
/// "unknown status". Any thread.
@c(kie_status_str)
public func kieStatusStr(_ status: kie_status) -> UnsafePointer<CChar> {
    guard let s = KieStatus(rawValue: status.rawValue) else { return StaticText.pointer("unknown status") }
    return StaticText.pointer(s.text)
}

/// JSON detail of the last failed kie_ call on this thread ({"status","name","message",
/// "apiCode","httpStatus","taskId","retryable","attempts","field"}), or "" if none failed yet.
/// Only a failing call replaces it; the pointer stays valid until the next failing call on this
/// thread. Never free it.
@c(kie_last_error)
public func kieLastError() -> UnsafePointer<CChar> {
    LastError.get()
}

/// Frees a string the library returned through a char ** out-parameter. NULL is a no-op.
@c(kie_string_free)
public func kieStringFree(_ s: UnsafeMutablePointer<CChar>?) {
    free(s)
}
