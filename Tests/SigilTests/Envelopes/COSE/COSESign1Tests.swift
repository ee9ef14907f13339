import Foundation
import Sigil
import SigilTestSupport
import Testing

/// COSE_Sign1 signed and verified with throwaway keys: every algorithm, tagged and
/// untagged, detached payloads, external AAD, key selection, and the header rules.
@Suite struct COSESign1Tests {
    static let payload = Array("a reading from device 7".utf8)

    /// The verified message, or `nil` when verification found it invalid.
    static func verified(_ message: [UInt8], _ store: TrustStore, aad: [UInt8] = [], detached: [UInt8]? = nil) throws -> VerifiedCOSESign1? {
        do {
            return try COSESign1(cborRepresentation: message).verify(using: store, externalAAD: aad, detachedPayload: detached)
        } catch let error as SigilError where error.code == .authenticationFailure {
            return nil
        }
    }

    /// Why verification found the message invalid (an `authenticationFailure`), or `nil`
    /// when it verified.
    static func invalidReason(_ message: [UInt8], _ store: TrustStore, aad: [UInt8] = []) throws -> String? {
        do {
            _ = try COSESign1(cborRepresentation: message).verify(using: store, externalAAD: aad)
            return nil
        } catch let error as SigilError where error.code == .authenticationFailure {
            return error.message
        }
    }

    @Test(arguments: COSEAlgorithm.all)
    func signsAndVerifiesTaggedAndUntagged(algorithm: COSEAlgorithm) throws {
        let (privateKey, store) = try COSETestKeys.signer(for: algorithm)
        let builder = try COSESign1Builder(
            algorithm: algorithm, keyID: "device-1", contentType: .mediaType("text/plain"), payload: Self.payload)
        for tagged in [true, false] {
            let message = try COSETestKeys.signedMessage(builder, with: privateKey, tagged: tagged)
            #expect((message.first == 0xd2) == tagged, "\(algorithm)")
            let parsed = try COSESign1(cborRepresentation: message)
            #expect(parsed.isTagged == tagged)
            let verified = try parsed.verify(using: store)
            #expect(verified.payload == Self.payload)
            #expect(verified.algorithm == algorithm)
            #expect(verified.key.id == "device-1")
            #expect(verified.headers.contentType == .mediaType("text/plain"))
            #expect(verified.headers.keyIDText == "device-1")
        }
    }

    @Test(arguments: COSEAlgorithm.all)
    func openSSLVerifiesSigilsSignaturesAndSigilVerifiesOpenSSLs(algorithm: COSEAlgorithm) async throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let generate: [String] = switch algorithm.curve {
        case let curve?: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve.openSSLGroupName)"]
        case nil: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
        }
        let keyFile = folder.appendingPathComponent("key.pem"), publicFile = folder.appendingPathComponent("public.pem")
        _ = try await TestSupport.openssl(["genpkey"] + generate + ["-out", keyFile.path])
        _ = try await TestSupport.openssl(["pkey", "-in", keyFile.path, "-pubout", "-out", publicFile.path])
        let publicKey = try PublicKey(pemRepresentation: String(decoding: Data(contentsOf: publicFile), as: UTF8.self))
        let store = try TrustStore([TrustedKey(id: "k", publicKey: publicKey, algorithms: [algorithm.signingAlgorithm])])
        let hash = "-" + algorithm.signingAlgorithm.hashFunction.description.lowercased().replacingOccurrences(of: "-", with: "")
        var options = [hash]
        if algorithm.name.hasPrefix("PS") {
            options += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
        }
        let builder = try COSESign1Builder(algorithm: algorithm, keyID: "k", payload: Self.payload, externalAAD: [1, 2])
        let toBeSigned = folder.appendingPathComponent("tbs")
        try Data(builder.toBeSigned).write(to: toBeSigned)

        // openssl signs the Sig_structure; Sigil assembles and verifies the message.
        let opensslSignature = try await TestSupport.openssl(["dgst"] + options + ["-sign", keyFile.path, toBeSigned.path])
        let message = try builder.message(signature: Array(opensslSignature), format: .der)
        #expect(try Self.verified(message, store, aad: [1, 2]) != nil, "\(algorithm): openssl's signature")
        #expect(try Self.verified(message, store, aad: [1, 3]) == nil, "\(algorithm): AAD mismatch")

        // Sigil signs with the same key; openssl verifies the Sig_structure signature.
        let privateKey = try AsymmetricPrivateKey(pemRepresentation: String(decoding: Data(contentsOf: keyFile), as: UTF8.self))
        let sigilMessage = try COSETestKeys.signedMessage(builder, with: privateKey)
        let raw = try COSESign1(cborRepresentation: sigilMessage).signature
        let der = try algorithm.curve.map { try ECDSASignature.der(fromRaw: raw, curve: $0) } ?? raw
        let signatureFile = folder.appendingPathComponent("sig")
        try Data(der).write(to: signatureFile)
        let check = try await TestSupport.run(
            "openssl", ["dgst"] + options + ["-verify", publicFile.path, "-signature", signatureFile.path, toBeSigned.path])
        #expect(check.status == 0 && check.stdoutText.contains("Verified OK"), "\(algorithm): \(check.stderrText)")
    }

    @Test func verifiesADetachedPayloadOnlyWhenTheCallerSuppliesIt() throws {
        let (privateKey, store) = try COSETestKeys.signer(for: .es256)
        let builder = try COSESign1Builder(algorithm: .es256, keyID: "device-1", payload: Self.payload, detached: true)
        let message = try COSETestKeys.signedMessage(builder, with: privateKey)
        let parsed = try COSESign1(cborRepresentation: message)
        #expect(parsed.isDetached)
        let missing = #expect(throws: SigilError.self) { try parsed.verify(using: store) }
        #expect(missing?.code == .invalidArgument)
        #expect(try Self.verified(message, store, detached: Self.payload)?.payload == Self.payload)
        #expect(try Self.verified(message, store, detached: Self.payload + [0]) == nil)

        let embedded = try COSETestKeys.signedMessage(
            COSESign1Builder(algorithm: .es256, keyID: "device-1", payload: Self.payload), with: privateKey)
        let both = #expect(throws: SigilError.self) {
            try COSESign1(cborRepresentation: embedded).verify(using: store, detachedPayload: Self.payload)
        }
        #expect(both?.code == .invalidArgument)
    }

    @Test func refusesAnExternalAADThatDiffersFromTheSigners() throws {
        let (privateKey, store) = try COSETestKeys.signer(for: .ps256)
        let builder = try COSESign1Builder(algorithm: .ps256, keyID: "device-1", payload: Self.payload, externalAAD: [9, 9])
        let message = try COSETestKeys.signedMessage(builder, with: privateKey)
        #expect(try Self.verified(message, store, aad: [9, 9]) != nil)
        for wrong: [UInt8] in [[], [9], [9, 9, 0], [9, 8]] {
            let reason = try Self.invalidReason(message, store, aad: wrong)
            #expect(reason?.contains("does not verify") == true, "AAD \(wrong): \(reason ?? "verified")")
        }
    }

    @Test func selectsTheKeyByKidAndRefusesTheWrongKey() throws {
        let (privateKey, _) = try COSETestKeys.signer(for: .es256)
        let other = try PublicKey(AsymmetricPrivateKey(generating: .eccNistP256).publicKey)
        let signedWith = try PublicKey(privateKey.publicKey)
        let builder = try COSESign1Builder(algorithm: .es256, keyID: "device-1", payload: Self.payload)
        let message = try COSETestKeys.signedMessage(builder, with: privateKey)

        let impostor = try TrustStore([TrustedKey(id: "device-1", publicKey: other)])
        let reason = try Self.invalidReason(message, impostor)
        #expect(reason?.contains("device-1") == true, "\(reason ?? "verified with the wrong key")")

        let elsewhere = try TrustStore([TrustedKey(id: "device-2", publicKey: signedWith)])
        let unknown = try Self.invalidReason(message, elsewhere)
        #expect(unknown?.contains("no trusted key has the kid") == true, "\(unknown ?? "verified with a key of another id")")

        let both = try TrustStore([TrustedKey(id: "device-2", publicKey: other), TrustedKey(id: "device-1", publicKey: signedWith)])
        #expect(try Self.verified(message, both)?.key.id == "device-1")
    }

    @Test func withoutAKidTriesOnlyKeysOnTheAlgorithmsCurve() throws {
        let (privateKey, _) = try COSETestKeys.signer(for: .es256)
        let secp256k1 = try PublicKey(TestSupport.privateKey(.eccSecgP256k1).publicKey)
        let p384 = try PublicKey(TestSupport.privateKey(.eccNistP384).publicKey)
        let message = try COSETestKeys.signedMessage(COSESign1Builder(algorithm: .es256, payload: Self.payload), with: privateKey)
        let store = try TrustStore([
            TrustedKey(id: "k1", publicKey: secp256k1), TrustedKey(id: "p384", publicKey: p384),
            TrustedKey(id: "p256", publicKey: PublicKey(privateKey.publicKey)),
        ])
        #expect(try Self.verified(message, store)?.key.id == "p256")
        let noneAllowed = try TrustStore([TrustedKey(id: "k1", publicKey: secp256k1), TrustedKey(id: "p384", publicKey: p384)])
        let reason = try Self.invalidReason(message, noneAllowed)
        #expect(reason?.contains("no trusted key is allowed ES256") == true, "\(reason ?? "verified with no suitable key")")
    }

    @Test func refusesAnAlgorithmTheNamedKeyIsNotAllowed() throws {
        let (privateKey, _) = try COSETestKeys.signer(for: .rs256)
        let message = try COSETestKeys.signedMessage(
            COSESign1Builder(algorithm: .rs256, keyID: "rsa", payload: Self.payload), with: privateKey)
        let pssOnly = try TrustStore([
            TrustedKey(id: "rsa", publicKey: PublicKey(privateKey.publicKey), algorithms: [.rsassaPSSSHA256])
        ])
        let error = #expect(throws: SigilError.self) { try COSESign1(cborRepresentation: message).verify(using: pssOnly) }
        #expect(error?.code == .algorithmKeyMismatch)
        #expect(error?.message.contains("RS256") == true)
    }

    @Test func aKidThatIsNotUTF8NamesNoKey() throws {
        let (privateKey, store) = try COSETestKeys.signer(for: .es256)
        let message = try COSESign1TestMessages.signed(
            protected: [.init(key: 1, value: -7), .init(key: 4, value: .byteString([0xff, 0xfe]))], with: privateKey)
        let reason = try Self.invalidReason(message, store)
        #expect(reason?.contains("not UTF-8") == true, "\(reason ?? "verified with a non-UTF-8 kid")")
    }

    @Test func buildsTheExamplesSigStructureDeterministically() throws {
        let builder = try COSESign1Builder(
            algorithm: .es256, payload: Array("This is the content.".utf8),
            externalAAD: COSETestKeys.hex("11aa22bb33cc44dd55006699"))
        #expect(builder.protectedHeaderBytes == [0xa1, 0x01, 0x26])
        // cose-wg/Examples sign1-tests/sign-pass-02.json, intermediates.ToBeSign_hex.
        let expected = "846a5369676e61747572653143a101264c11aa22bb33cc44dd5500669954546869732069732074686520636f6e74656e742e"
        #expect(builder.toBeSigned == (try COSETestKeys.hex(expected)))
        let full = try COSESign1Builder(algorithm: .ps384, keyID: "k", contentType: .coapContentFormat(50), payload: [])
        #expect(full.protectedHeaderBytes == [0xa3, 0x01, 0x38, 0x25, 0x03, 0x18, 0x32, 0x04, 0x41, 0x6b])
    }

    @Test func assemblesFromRawOrDERAndRefusesBadSignatures() throws {
        let builder = try COSESign1Builder(algorithm: .es384, payload: Self.payload)
        let raw = [UInt8](repeating: 7, count: 96)
        let fromRaw = try builder.message(signature: raw, format: .raw)
        let fromDER = try builder.message(signature: ECDSASignature.der(fromRaw: raw, curve: .p384), format: .der)
        #expect(fromRaw == fromDER)
        #expect(try COSESign1(cborRepresentation: fromRaw).signature == raw)
        for (signature, format) in [([UInt8](repeating: 7, count: 64), SignatureFormat.raw), ([], .raw), ([0x30, 0x00], .der)] {
            let error = #expect(throws: SigilError.self) { try builder.message(signature: signature, format: format) }
            #expect(error?.code == .malformedSignature, "\(signature.count) bytes \(format)")
        }
    }

    @Test func refusesASignatureOfTheWrongSizeForTheCurve() throws {
        let (_, store) = try COSETestKeys.signer(for: .es256)
        let message = try COSESign1TestMessages.encode(
            protected: [.init(key: 1, value: -7)], unprotected: [.init(key: 4, value: .byteString(Array("device-1".utf8)))],
            payload: .byteString(Self.payload), signature: [UInt8](repeating: 1, count: 63))
        let error = #expect(throws: SigilError.self) { try COSESign1(cborRepresentation: message).verify(using: store) }
        #expect(error?.code == .malformedSignature)
    }

    @Test func withoutAKidTriesEveryRSAKeyEvenWhenOneIsOfAnotherSize() throws {
        let signer = try TestSupport.privateKey(.rsa3072)
        let smaller = try PublicKey(TestSupport.privateKey(.rsa2048).publicKey)
        let message = try COSETestKeys.signedMessage(COSESign1Builder(algorithm: .rs384, payload: Self.payload), with: signer)
        let store = try TrustStore([
            TrustedKey(id: "rsa-2048", publicKey: smaller), TrustedKey(id: "rsa-3072", publicKey: PublicKey(signer.publicKey)),
        ])
        #expect(try Self.verified(message, store)?.key.id == "rsa-3072")
        let onlySmaller = try TrustStore([TrustedKey(id: "rsa-2048", publicKey: smaller)])
        let error = #expect(throws: SigilError.self) { try COSESign1(cborRepresentation: message).verify(using: onlySmaller) }
        #expect(error?.code == .malformedSignature)
    }

    @Test func appliesTheLimitsToTheProtectedHeaderToo() throws {
        let (privateKey, _) = try COSETestKeys.signer(for: .es256)
        var deep = CBOR.unsigned(0)
        for _ in 0..<6 { deep = .array([deep]) }
        let message = try COSESign1TestMessages.signed(protected: [.init(key: 1, value: -7), .init(key: 99, value: deep)], with: privateKey)
        #expect((try? COSESign1(cborRepresentation: message)) != nil)
        let tight = CBOR.DecodingLimits(maximumDepth: 5, maximumItems: 100, maximumSize: 1000)
        let error = #expect(throws: SigilError.self) { try COSESign1(cborRepresentation: message, limits: tight) }
        #expect(error?.code == .unsupportedMessage)
    }

    @Test func keepsReasonsOnOneLineWhateverTheMessageSays() throws {
        let (privateKey, store) = try COSETestKeys.signer(for: .es256)
        let kid = CBOR.MapEntry(key: 4, value: .byteString(Array("evil\nvalid\r\u{7}".utf8)))
        let message = try COSESign1TestMessages.signed(protected: [.init(key: 1, value: -7), kid], with: privateKey)
        let reason = try #require(try Self.invalidReason(message, store), "verified with an unknown kid")
        #expect(!reason.contains("\n") && !reason.contains("\r") && !reason.contains("\u{7}"), "\(reason)")
        let textAlgorithm = try COSESign1TestMessages.signed(protected: [.init(key: 1, value: "ES256\ninjected")], with: privateKey)
        let error = #expect(throws: SigilError.self) { try COSESign1(cborRepresentation: textAlgorithm) }
        #expect(error?.message.contains("\n") == false, "\(error?.message ?? "")")
    }
}
