package io.gantry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SseEventReaderTest {

  private static List<SseEvent> readAll(InputStream in) throws IOException {
    SseEventReader reader = new SseEventReader(in);
    List<SseEvent> out = new ArrayList<>();
    for (SseEvent e = reader.next(); e != null; e = reader.next()) {
      out.add(e);
    }
    return out;
  }

  @Test
  void readsDataCommentsCrlfAndEventNames() throws IOException {
    String wire =
        "data: {\"a\":1}\n\n:\n\nevent: response.created\r\ndata: {\"b\":2}\r\n\r\ndata: x\ndata: y\n\ndata: [DONE]\n\n";
    List<SseEvent> events =
        readAll(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)));
    assertThat(events).hasSize(5);
    assertThat(events.get(0).data()).isEqualTo("{\"a\":1}");
    assertThat(events.get(1).isComment()).isTrue();
    assertThat(events.get(2).event()).isEqualTo("response.created");
    assertThat(events.get(2).data()).isEqualTo("{\"b\":2}");
    assertThat(events.get(3).data()).isEqualTo("x\ny");
    assertThat(events.get(4).isDone()).isTrue();
    assertThat(events).allMatch(SseEvent::complete);
  }

  @Test
  void anEventCutShortIsMarkedIncomplete() throws IOException {
    List<SseEvent> events =
        readAll(new ByteArrayInputStream("data: {\"a\":1}\n\ndata: {\"b\"".getBytes()));
    assertThat(events).hasSize(2);
    assertThat(events.get(1).complete()).isFalse();
  }

  @Test
  void aLineThatIsNotAnEventFieldIsBrokenFramingAndMalformed() throws IOException {
    SseEventReader reader =
        new SseEventReader(
            new ByteArrayInputStream(
                "id: 1\nretry: 10\ndata: {}\n\n{\"choices\":[]}\n\n".getBytes()));
    assertThat(reader.next().data()).isEqualTo("{}");
    org.assertj.core.api.Assertions.assertThatThrownBy(reader::next)
        .isInstanceOf(SseEventReader.BrokenFramingException.class)
        .satisfies(e ->
            assertThat(UpstreamFailures.classify("b", e).kind())
                .isEqualTo(UpstreamException.Kind.MALFORMED));
  }

  /**
   * Relaying must be lossless: the events' raw bytes put together are the stream, however it is
   * split into reads.
   */
  @Property(tries = 200)
  void rawBytesReassembleTheStream(
      @ForAll("streams") String wire, @ForAll @IntRange(min = 1, max = 17) int readSize)
      throws IOException {
    byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
    InputStream trickle =
        new ByteArrayInputStream(bytes) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, readSize));
          }
        };
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (SseEvent event : readAll(trickle)) {
      joined.write(event.raw());
    }
    String withoutStrayBlankLines = wire.replaceAll("^\n+", "").replaceAll("\n\n\n+", "\n\n");
    assertThat(joined.toString(StandardCharsets.UTF_8)).isEqualTo(withoutStrayBlankLines);
  }

  /** A stream that hands out one scripted piece per read and reports a fixed available(). */
  private static InputStream pieces(int available, String... parts) {
    java.util.Iterator<String> it = List.of(parts).iterator();
    return new InputStream() {
      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (!it.hasNext()) {
          return -1;
        }
        byte[] part = it.next().getBytes(StandardCharsets.UTF_8);
        System.arraycopy(part, 0, b, off, part.length);
        return part.length;
      }

      @Override
      public int available() {
        return available;
      }
    };
  }

  @Test
  void aWholeEventAlreadyReadCountsAsWaiting() throws IOException {
    SseEventReader reader = new SseEventReader(pieces(0, "data: 1\n\ndata: 2\r\n\r\n"));
    reader.next();
    assertThat(reader.hasBufferedBytes()).isTrue();
    reader.next();
    assertThat(reader.hasBufferedBytes()).isFalse();
  }

  @Test
  void partOfAnEventDoesNotCountAsWaiting() throws IOException {
    SseEventReader reader = new SseEventReader(pieces(0, "data: 1\n\ndata: {\"par"));
    reader.next();
    assertThat(reader.hasBufferedBytes()).as("its end may be seconds away").isFalse();
  }

  @Test
  void bytesTheStreamHasReceivedCountAsWaiting() throws IOException {
    SseEventReader reader = new SseEventReader(pieces(42, "data: 1\n\n", "data: 2\n\n"));
    reader.next();
    assertThat(reader.hasBufferedBytes()).isTrue();
  }

  @Provide
  Arbitrary<String> streams() {
    Arbitrary<String> data =
        Arbitraries.strings()
            .withChars("abc{}\":, é漢")
            .ofMaxLength(30)
            .map(s -> "data: " + s + "\n");
    Arbitrary<String> event =
        data.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("", l) + "\n");
    return event.list().ofMaxSize(8).map(l -> String.join("", l));
  }
}
