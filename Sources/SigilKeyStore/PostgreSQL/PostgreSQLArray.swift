internal import NIOCore
internal import PostgresNIO
internal import SigilCrypto

/// One column of a bulk insert as a one-dimensional PostgreSQL array parameter, in the
/// binary wire format (elements may be NULL, which postgres-nio's own `Array` encoding
/// cannot express).
///
/// A bulk insert sends one of these per column and reads them back with `unnest`: one
/// short statement whatever the number of rows, so the server parses and plans it once,
/// and the client numbers no placeholders.
///
/// The format: `ndim` (1), a has-NULL flag, the element type's OID, the one dimension's
/// length and lower bound (1), then each element as its byte length (−1 for NULL) and
/// its binary form.
struct PostgreSQLArray: PostgresDynamicTypeEncodable {
    let psqlType: PostgresDataType
    var psqlFormat: PostgresFormat { .binary }
    /// The SQL name of the array's type, for the cast in the statement.
    let sqlType: String
    private var elements: ByteBuffer
    private var count: Int32 = 0
    private var hasNull = false
    private let elementType: StoreColumnType

    init(of type: StoreColumnType, capacity: Int) {
        elementType = type
        switch type {
        case .integer: (psqlType, sqlType) = (.int8Array, "int8[]")
        case .real: (psqlType, sqlType) = (.float8Array, "float8[]")
        case .text: (psqlType, sqlType) = (.textArray, "text[]")
        case .blob: (psqlType, sqlType) = (.byteaArray, "bytea[]")
        }
        elements = ByteBufferAllocator().buffer(capacity: capacity * 16)
    }

    /// One array per column of `rows` (row-major, `columns.count` values per row).
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure` for a value of another type
    ///   than its column's.
    static func columns(_ columns: [StoreColumn], rows: [StoreValue]) throws -> [PostgreSQLArray] {
        var arrays = columns.map { PostgreSQLArray(of: $0.type, capacity: rows.count / max(columns.count, 1)) }
        for (index, value) in rows.enumerated() {
            try arrays[index % columns.count].append(value)
        }
        return arrays
    }

    /// Appends one element: a value of the column's type, or `.null`.
    ///
    /// - Throws: ``KeyStoreError`` with code `storageFailure` for a value of another type.
    mutating func append(_ value: StoreValue) throws {
        count += 1
        switch (elementType, value) {
        case (_, .null):
            hasNull = true
            elements.writeInteger(Int32(-1))
        case (.integer, .integer(let number)):
            elements.writeInteger(Int32(8))
            elements.writeInteger(number)
        case (.real, .real(let number)):
            elements.writeInteger(Int32(8))
            elements.writeInteger(number.bitPattern)
        case (.text, .text(let text)):
            elements.writeInteger(Int32(text.utf8.count))
            elements.writeString(text)
        case (.blob, .blob(let bytes)):
            elements.writeInteger(Int32(bytes.count))
            elements.writeBytes(bytes)
        default:
            throw KeyStoreError(.storageFailure, "a bulk insert's \(elementType) column was given \(value)")
        }
    }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(Int32(1))
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(Self.elementOID(elementType))
        buffer.writeInteger(count)
        buffer.writeInteger(Int32(1))
        var elements = elements
        buffer.writeBuffer(&elements)
    }

    private static func elementOID(_ type: StoreColumnType) -> UInt32 {
        switch type {
        case .integer: PostgresDataType.int8.rawValue
        case .real: PostgresDataType.float8.rawValue
        case .text: PostgresDataType.text.rawValue
        case .blob: PostgresDataType.bytea.rawValue
        }
    }
}
