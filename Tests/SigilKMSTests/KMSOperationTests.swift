import SigilKMS
import Testing

@Suite struct KMSOperationTests {
    @Test func parsesEveryTargetItNames() {
        #expect(KMSOperation.allCases.count == 36)
        for operation in KMSOperation.allCases {
            #expect(KMSOperation(target: operation.target) == operation)
            #expect(operation.target == "TrentService.\(operation.name)")
        }
    }

    @Test(arguments: ["", "TrentService.", "TrentService.sign", "Trentservice.Sign", "TrentService.Sign ", "KMS.Sign",
        "TrentService.CreateGrant", "TrentService.Sign.Sign", "Sign"])
    func rejectsTargetsThatAreNotSigilOperations(_ target: String) {
        #expect(KMSOperation(target: target) == nil)
    }
}
