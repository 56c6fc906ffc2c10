package io.tickscan.web.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ClientMessageTest {

    static ClientMessage parse(String text) throws ClientMessage.Bad {
        return ClientMessage.parse(text, 4096);
    }

    @Test
    void readsEveryKindOfMessage() throws Exception {
        assertThat(parse("{\"type\": \"subscribe\", \"rules\": [\"a\", \"b\"]}"))
                .isEqualTo(new ClientMessage.Subscribe(new Subscription(java.util.Set.of("a", "b"), null)));
        assertThat(parse("{\"type\": \"subscribe\", \"symbols\": null}"))
                .isEqualTo(new ClientMessage.Subscribe(Subscription.ALL));
        assertThat(parse("{\"type\": \"resume\", \"after\": \"r:S:1\"}")).isEqualTo(new ClientMessage.Resume("r:S:1"));
        assertThat(parse("{\"type\": \"screen\", \"rule\": \"r\", \"order\": \"asc\", \"limit\": 5}")).isEqualTo(
                new ClientMessage.Screen("r", new JsonObject().put("rule", "r").put("sort", null).put("order", "asc")
                        .put("limit", 5)));
        assertThat(parse("{\"type\": \"unscreen\"}")).isEqualTo(new ClientMessage.Unscreen());
    }

    @Test
    void saysWhatIsWrongAndWhere() {
        assertThatThrownBy(() -> ClientMessage.parse("{\"type\": \"unscreen\", \"x\": \"" + "y".repeat(100) + "\"}", 64))
                .hasMessage("the message has more than 64 bytes; at most 64 (http.ws.max_message_bytes) are read");
        assertThatThrownBy(() -> ClientMessage.parse("\"" + "é".repeat(40) + "\"", 64))
                .hasMessage("the message has 82 bytes; at most 64 (http.ws.max_message_bytes) are read");
        assertThatThrownBy(() -> parse("{\"type\": \"subscribe\",, }")).hasMessage("not JSON at line 1, column 22: "
                + "Unexpected character (',' (code 44)): was expecting double-quote to start field name");
        assertThatThrownBy(() -> parse("[1]")).hasMessage("a message must be a JSON object, found a list");
        assertThatThrownBy(() -> parse("{}"))
                .hasMessage("type must be one of \"subscribe\", \"resume\", \"screen\", \"unscreen\"; found none");
        assertThatThrownBy(() -> parse("{\"type\": \"tango\"}"))
                .hasMessage("type must be one of \"subscribe\", \"resume\", \"screen\", \"unscreen\"; found \"tango\"");
        assertThatThrownBy(() -> parse("{\"type\": \"subscribe\", \"rule\": [\"a\"]}"))
                .hasMessage("subscribe: unknown field \"rule\"; it takes rules, symbols");
        assertThatThrownBy(() -> parse("{\"type\": \"subscribe\", \"symbols\": \"AAPL\"}"))
                .hasMessage("subscribe: symbols must be a list of strings or absent, found \"AAPL\"");
        assertThatThrownBy(() -> parse("{\"type\": \"subscribe\", \"symbols\": [\"A\", \"\"]}"))
                .hasMessage("subscribe: symbols[1] must be a string of 1 to 256 characters, found \"\"");
        assertThatThrownBy(() -> parse("{\"type\": \"resume\"}"))
                .hasMessage("resume: after must be a string of 1 to 256 characters, found none");
        assertThatThrownBy(() -> parse("{\"type\": \"screen\", \"rule\": \"r\", \"order\": \"up\"}"))
                .hasMessage("screen: order must be \"asc\" or \"desc\", found \"up\"");
        assertThatThrownBy(() -> parse("{\"type\": \"screen\", \"rule\": \"r\", \"limit\": 1.5}"))
                .hasMessage("screen: limit must be a whole number from 1 to 1000, found 1.5");
        assertThatThrownBy(() -> parse("{\"type\": \"unscreen\", \"rule\": \"r\"}"))
                .hasMessage("unscreen: unknown field \"rule\"; it takes none");
    }
}
