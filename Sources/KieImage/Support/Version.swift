import CKieImage

/// The library's version and C ABI version. One source: the `KIE_VERSION_*` and
/// `KIE_ABI_VERSION` macros of `kieimage_types.h`, which the published header, the Makefile, the
/// Python package and the man page read too.
public enum KieImageVersion {
    public static let major = Int(KIE_VERSION_MAJOR), minor = Int(KIE_VERSION_MINOR), patch = Int(KIE_VERSION_PATCH)
    public static let string = "\(major).\(minor).\(patch)"
    public static let abi = Int32(KIE_ABI_VERSION)
}
