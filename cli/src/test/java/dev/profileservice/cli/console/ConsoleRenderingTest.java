package dev.profileservice.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile data renders as text: a profile whose key is an attribute breakout and whose data holds
 * script tags (as values and as a field name), an attribute breakout, a 1 MB string and objects
 * nested 200 deep. Checked on the raw HTML of every page that shows it.
 */
class ConsoleRenderingTest {
    static ConsoleFixture console;
    static String[] auth;

    @BeforeAll
    static void start() throws IOException {
        console = ConsoleFixture.start();
        auth = console.login().headers();
    }

    @AfterAll
    static void stop() throws IOException {
        console.close();
    }

    private static String page(String path) {
        HttpResponse<String> r = console.get(path, auth);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    /** No markup from the store survives: no script element or img element anywhere but ours. */
    private static void assertInert(String html) {
        assertThat(html).doesNotContain("<script>alert").doesNotContain("<img").doesNotContain("<b>x");
        // our own one script, from /static, on the sessions page only
        assertThat(html.replace("<script src=\"/static/sessions.js\"></script>", ""))
                .doesNotContain("<script");
    }

    @Test
    void theProfilePageShowsHostileDataAsText() {
        String html = page("/profile?store=PlayerData&key=" + ConsoleFixture.q(ConsoleFixture.HOSTILE_KEY));
        assertInert(html);
        assertThat(html).contains("&lt;script&gt;alert('xss')&lt;/script&gt;"); // as text
        assertThat(html).contains("\"&gt;&lt;img src=x onerror=alert(2)&gt;"); // the data value and the meta tag
        assertThat(html).contains("<h1 id=\"profile-key\">\"&gt;&lt;img src=x onerror=alert(1)&gt;</h1>");
        // in an attribute the quote is escaped too, so the value cannot end early
        assertThat(html).contains("name=\"key\" value=\"&#34;>&lt;img src=x onerror=alert(1)>\"");
        // the 1 MB string is there, whole, as text
        assertThat(html).contains("&lt;b&gt;" + "x".repeat(1_000_000));
        // 200 levels, each a collapsible node, down to the leaf
        assertThat(html.split("<details", -1).length - 1).isGreaterThanOrEqualTo(200);
        // the pending gift's data too
        assertThat(html).contains("{\"msg\":\"&lt;script&gt;");
        // the quarantined copy: when, why, its size and its bytes, all as text
        assertThat(html).contains("<span id=\"quarantined\">1</span>");
        assertThat(html).contains("2023-11-14T22:13:20Z");
        assertThat(html).contains("cannot decode: \"&gt;&lt;img src=x onerror=alert(2)&gt;");
        assertThat(html).contains("<code>{\"coins\":&lt;script&gt;alert('xss')&lt;/script&gt;</code>");
    }

    @Test
    void theStartPageListsEveryStoreThatHoldsARecord() {
        String html = page("/");
        assertThat(html).contains("<a href=\"/keys?store=PlayerData\">PlayerData</a>");
        assertThat(html)
                .as("a store the console was not told about")
                .contains("<a href=\"/keys?store=Guilds\">Guilds</a>");
    }

    @Test
    void theKeyListLinksTheHostileKeyEncoded() {
        String html = page("/keys?store=PlayerData");
        assertInert(html);
        assertThat(html).contains("key=%22%3E%3Cimg+src%3Dx+onerror%3Dalert%281%29%3E");
    }

    @Test
    void historyDiffAndConfirmationPagesEscapeToo() {
        String key = ConsoleFixture.q(ConsoleFixture.HOSTILE_KEY);
        assertInert(page("/history?store=PlayerData&key=" + key));
        long v = console.record(ConsoleFixture.HOSTILE_KEY).revision();
        String diff = page("/diff?store=PlayerData&key=" + key + "&from=" + v + "&to=latest");
        assertInert(diff);
        assertInert(page("/wipe?store=PlayerData&key=" + key));
        assertInert(page("/restore?store=PlayerData&key=" + key + "&version=" + v));
    }

    @Test
    void anErrorMessageEchoingInputIsEscaped() {
        HttpResponse<String> r =
                console.get("/profile?store=PlayerData&key=" + ConsoleFixture.q("<script>x</script>"), auth);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("&lt;script&gt;x&lt;/script&gt;").doesNotContain("<script>x");
    }

    @Test
    void theJsonEndpointCarriesTheDataAsJson() {
        HttpResponse<String> r = console.get(
                "/api/profile?store=PlayerData&key=" + ConsoleFixture.q(ConsoleFixture.HOSTILE_KEY),
                ConsoleFixture.bearer());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    }
}
