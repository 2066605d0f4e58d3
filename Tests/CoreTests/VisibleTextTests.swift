import CampaignCore
import Testing

@Suite struct VisibleTextTests {
    @Test func controlAndBidiCharactersAreWrittenOut() {
        let text = "a\u{1B}]0;title\u{07}b\tc\rd\u{7F}\u{9B}2J\u{202E}fdp.exe\u{2066}x\u{0}"
        #expect(visibleText(text, keepingLineBreaks: true)
                == #"a\u{1B}]0;title\u{7}b"# + "\t" + #"c\u{D}d\u{7F}\u{9B}2J\u{202E}fdp.exe\u{2066}x\u{0}"#)
    }

    @Test func lineBreaksStayInReportsAndNotInLogLines() {
        let text = "one\ntwo\r\nthree\rfour"
        #expect(visibleText(text, keepingLineBreaks: true) == "one\ntwo\r\nthree\\u{D}four")
        #expect(visibleText(text, keepingLineBreaks: false) == #"one\u{A}two\u{D}\u{A}three\u{D}four"#)
    }

    @Test func ordinaryTextIsUnchanged() {
        for text in ["", "plain", "Zoë 😀 — ok\tcolumns\n", "אבג عربي", "\u{200D}\u{FE0F}"] {
            #expect(visibleText(text, keepingLineBreaks: true) == text)
        }
        #expect(visibleText("Zoë 😀", keepingLineBreaks: false) == "Zoë 😀")
    }
}
