import FoundationEssentials

public enum WallClock {
    public static func nowSeconds() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
