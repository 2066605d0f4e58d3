import CampaignCore
import Foundation
@testable import Pipeline
import Testing

/// Links that data turned into script, in rendered HTML.
@Suite struct ScriptLinksTests {
    @Test(arguments: [
        ##"<a href="javascript:alert(1)">x</a>"##,
        ##"<a HREF='JaVaScRiPt:alert(1)'>x</a>"##,
        "<a href=\" \t java&#x09;script:alert(1)\">x</a>",
        ##"<a href=javascript:alert(1)>x</a>"##,
        ##"<a title="t" href = "&#106;avascript:alert(1)">x</a>"##,
        ##"<a href="javascript&colon;alert(1)">x</a>"##,
        ##"<a href="&#X6A;&#97&#x76;ascript:x">x</a>"##,
        ##"<a href="vbscript:msgbox(1)">x</a>"##,
        ##"<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>"##,
        ##"<iframe src="data:text/html,<script>alert(1)</script>"></iframe>"##,
        ##"<form action="javascript:x"><button formaction='javascript:y'>b</button></form>"##,
        ##"<svg><a xlink:href="javascript:x">x</a></svg>"##,
        ##"<table background="javascript:x"><tr><td>x</td></tr></table>"##,
    ])
    func scriptLinksAreRemoved(_ html: String) {
        let cleaned = ScriptLinks.removed(from: html)
        #expect(cleaned != html)
        #expect(!cleaned.lowercased().contains("script:") || cleaned.contains("<script>alert(1)</script>"), "\(cleaned)")
        #expect(!cleaned.lowercased().contains("data:text"), "\(cleaned)")
        #expect(cleaned.contains("#unsafe-link-removed"))
    }

    @Test(arguments: [
        ##"<a href="https://shop.example.com/p?x=javascript:1">x</a>"##,
        ##"<a href="mailto:help@example.com">x</a> <a href="tel:+33612345678">y</a> <a href="#top">z</a>"##,
        ##"<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">"##,
        ##"<p>javascript:alert(1) is text, not a link</p>"##,
        ##"<a data-href="javascript:x" title="javascript:y">x</a>"##,
        ##"<!-- <a href="javascript:x"> -->"##,
        ##"<style>a[href="javascript:x"] { color: red }</style><p>ok</p>"##,
        ##"<a href="/p/1">relative</a><a href="javascript">word</a><a href="">empty</a>"##,
        "a < b, 3 <4 and <br/> <a href",
        "",
    ])
    func otherLinksAndTextAreKept(_ html: String) {
        #expect(ScriptLinks.removed(from: html) == html)
    }

    @Test func onlyTheValueIsReplacedAndEveryScriptLinkIsFound() {
        let html = ##"<a class=c href="javascript:a()" id=x>1</a><img src='javascript:b'><a href=javascript:c>3</a>"##
        #expect(ScriptLinks.removed(from: html)
                == ##"<a class=c href="#unsafe-link-removed" id=x>1</a><img src='#unsafe-link-removed'><a href=#unsafe-link-removed>3</a>"##)
    }

    /// Through the renderer: the product URL a web page set, in a template's
    /// link, whether the part is rendered by its plan or by swift-mustache.
    @Test func aRenderedLinkFromDataCannotRunScript() throws {
        for html in [##"<a href="{{event.productName}}">Your cart</a>"##,
                     ##"<a href="{{event.productName}}">{{#event.products}}{{.}}{{/event.products}}</a>"##] {
            let template = try CompiledTemplate(triggerId: "cart", definition: RenderingTests.definition,
                                                content: RenderingTests.content(html: html))
            for value in ["javascript:alert(document.cookie)", " JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>"] {
                let input = RenderInput(event: ["productName": .string(value), "products": .array([.object(["a": .number(1)])])])
                let rendered = try #require(template.render(input).html)
                #expect(rendered.hasPrefix(##"<a href="#unsafe-link-removed">"##), "\(rendered)")
                #expect(try #require(template.referenceRender(input).html).hasPrefix(##"<a href="#unsafe-link-removed">"##))
            }
            let safe = RenderInput(event: ["productName": .string("https://shop.example.com/cart?id=1&x=2")])
            #expect(template.render(safe).html?.hasPrefix(##"<a href="https://shop.example.com/cart?id=1&amp;x=2">"##) == true)
        }
    }
}
