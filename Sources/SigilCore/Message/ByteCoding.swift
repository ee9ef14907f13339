/// Big-endian serialization for the message format.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xff)) }
    }

    mutating func write(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xff)) }
    }

    mutating func write(_ data: some Sequence<UInt8>) { bytes.append(contentsOf: data) }

    /// Writes a 2-byte length, then the bytes. Callers check that the length fits.
    mutating func writeLengthPrefixed(_ data: [UInt8]) {
        write(UInt16(data.count))
        write(data)
    }
}

/// Reads the message format from a buffer that may hold only part of it: running out of
/// bytes is `ByteReader.Shortage` (read more, then try again), never a wrong answer.
struct ByteReader {
    /// Thrown when the buffer ends before the field does; `needed` is the total number of
    /// bytes from the start of the buffer that the field needs.
    struct Shortage: Error {
        let needed: Int
    }

    let buffer: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    var remaining: Int { buffer.count - offset }

    mutating func bytes(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count <= remaining else { throw Shortage(needed: offset + count) }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
    }

    mutating func array(_ count: Int) throws -> [UInt8] { Array(try bytes(count)) }

    mutating func uint8() throws -> UInt8 { try bytes(1)[0] }

    mutating func uint16() throws -> UInt16 {
        let field = try bytes(2)
        return UInt16(field[0]) << 8 | UInt16(field[1])
    }

    mutating func uint32() throws -> UInt32 {
        try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64() throws -> UInt64 {
        try bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func lengthPrefixed() throws -> [UInt8] {
        try array(Int(try uint16()))
    }
}
