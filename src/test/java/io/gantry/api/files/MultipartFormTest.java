package io.gantry.api.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class MultipartFormTest {

  /** One field as a client would send it. */
  record Field(String name, String filename, String contentType, byte[] content) {
    @Override
    public String toString() {
      return "Field["
          + name
          + ", "
          + filename
          + ", "
          + contentType
          + ", "
          + content.length
          + " bytes]";
    }
  }

  /** Encodes the way browsers and the SDKs do (quotes in names as %22, CRLF line breaks). */
  static byte[] encode(List<Field> fields, String boundary, String lineBreak, String preamble) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(preamble.getBytes(StandardCharsets.UTF_8));
    for (Field f : fields) {
      StringBuilder head = new StringBuilder("--").append(boundary).append(lineBreak);
      head.append("Content-Disposition: form-data; name=\"").append(escape(f.name())).append('"');
      if (f.filename() != null) {
        head.append("; filename=\"").append(escape(f.filename())).append('"');
      }
      head.append(lineBreak);
      if (f.contentType() != null) {
        head.append("Content-Type: ").append(f.contentType()).append(lineBreak);
      }
      head.append(lineBreak);
      out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
      out.writeBytes(f.content());
      out.writeBytes(lineBreak.getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes(
        ("--" + boundary + "--" + lineBreak + "epilogue").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  private static String escape(String value) {
    return value.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
  }

  /** Whatever the content bytes, names and boundary, parsing gives back exactly what was sent. */
  @Property(tries = 300)
  void parsingInvertsEncoding(
      @ForAll("fields") List<Field> fields,
      @ForAll("boundaries") String boundary,
      @ForAll("lineBreaks") String lineBreak) {
    byte[] delimiter = ("\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    for (Field f : fields) {
      // A client picks a boundary that occurs in no content; so do we.
      Assume.that(indexOf(f.content(), delimiter) < 0);
      Assume.that(!startsWith(f.content(), ("--" + boundary).getBytes(StandardCharsets.US_ASCII)));
      // With bare LF breaks a trailing CR is read as half of a CRLF (the one lenient guess).
      Assume.that(
          lineBreak.equals("\r\n")
              || f.content().length == 0
              || f.content()[f.content().length - 1] != '\r');
    }
    byte[] body = encode(fields, boundary, lineBreak, "");
    MultipartForm form =
        MultipartForm.parse(
            body, MultipartForm.boundary("multipart/form-data; boundary=\"" + boundary + "\""));
    assertThat(form.parts()).hasSize(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      Field sent = fields.get(i);
      MultipartForm.Part got = form.parts().get(i);
      assertThat(got.name()).isEqualTo(sent.name().replace("\"", "%22"));
      assertThat(got.filename())
          .isEqualTo(sent.filename() == null ? null : sent.filename().replace("\"", "%22"));
      assertThat(got.contentType()).isEqualTo(sent.contentType());
      assertThat(got.bytes()).as("content of part %d", i).isEqualTo(sent.content());
      assertThat(got.length()).isEqualTo(sent.content().length);
    }
  }

  /** Arbitrary bytes never make the parser fail in any other way than a MalformedException. */
  @Property(tries = 500)
  void garbageIsRefusedCleanly(@ForAll("garbage") byte[] body) {
    try {
      MultipartForm.parse(body, "b0undary");
    } catch (MultipartForm.MalformedException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  /** Cutting a valid body anywhere before its close delimiter is refused, never misread. */
  @Property(tries = 200)
  void truncatedBodiesAreRefused(
      @ForAll("fields") List<Field> fields,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double cut) {
    Assume.that(!fields.isEmpty());
    String boundary = "XyZ-boundary-0123456789";
    byte[] body = encode(fields, boundary, "\r\n", "");
    int closeAt = lastIndexOf(body, ("--" + boundary + "--").getBytes(StandardCharsets.US_ASCII));
    byte[] cutBody = Arrays.copyOf(body, (int) (cut * closeAt));
    assertThatThrownBy(() -> MultipartForm.parse(cutBody, boundary))
        .isInstanceOf(MultipartForm.MalformedException.class);
  }

  @Test
  void readsWhatTheSdksSend() {
    String body =
        "preamble to ignore\r\n"
            + "--abc\r\n"
            + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n"
            + "user_data\r\n"
            + "--abc  \r\n"
            + "content-disposition: form-data; name=file; filename=\"C:\\dir\\notes \\\"v2\\\".txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\n"
            + "line one\r\n--abcd is not the boundary\r\n\r\n"
            + "--abc--\r\n";
    MultipartForm form = MultipartForm.parse(body.getBytes(StandardCharsets.UTF_8), "abc");
    assertThat(form.first("purpose").orElseThrow().text()).isEqualTo("user_data");
    MultipartForm.Part file = form.first("file").orElseThrow();
    assertThat(file.filename()).isEqualTo("C:\\dir\\notes \"v2\".txt");
    assertThat(file.contentType()).isEqualTo("text/plain");
    assertThat(file.text()).isEqualTo("line one\r\n--abcd is not the boundary\r\n");
  }

  @Test
  void extendedFilenameWinsAndUtf8NamesSurvive() {
    String body =
        "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fallback.txt\";"
            + " filename*=UTF-8''r%C3%A9sum%C3%A9.txt\r\n\r\nx\r\n"
            + "--b\r\nContent-Disposition: form-data; name=\"other\"; filename=\"naïve.md\"\r\n\r\n"
            + "\r\n--b--";
    MultipartForm form = MultipartForm.parse(body.getBytes(StandardCharsets.UTF_8), "b");
    assertThat(form.first("file").orElseThrow().filename()).isEqualTo("résumé.txt");
    MultipartForm.Part other = form.first("other").orElseThrow();
    assertThat(other.filename()).isEqualTo("naïve.md");
    assertThat(other.length()).isZero();
  }

  @Test
  void boundaryComesFromTheContentType() {
    assertThat(MultipartForm.boundary("multipart/form-data; boundary=----WebKit123"))
        .isEqualTo("----WebKit123");
    assertThat(MultipartForm.boundary("Multipart/Form-Data;charset=utf-8;BOUNDARY=\"a b;c\""))
        .isEqualTo("a b;c");
    assertThatThrownBy(() -> MultipartForm.boundary("application/json"))
        .isInstanceOf(MultipartForm.MalformedException.class)
        .hasMessageContaining("multipart/form-data");
    assertThatThrownBy(() -> MultipartForm.boundary("multipart/form-data"))
        .isInstanceOf(MultipartForm.MalformedException.class)
        .hasMessageContaining("boundary");
    assertThatThrownBy(() -> MultipartForm.boundary(null))
        .isInstanceOf(MultipartForm.MalformedException.class);
  }

  @Test
  void partsWithoutADispositionOrNameAreRefused() {
    assertThatThrownBy(() ->
            MultipartForm.parse(
                "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--".getBytes(), "b"))
        .isInstanceOf(MultipartForm.MalformedException.class)
        .hasMessageContaining("Content-Disposition");
    assertThatThrownBy(() ->
            MultipartForm.parse(
                "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--".getBytes(), "b"))
        .isInstanceOf(MultipartForm.MalformedException.class)
        .hasMessageContaining("name");
  }

  @Provide
  Arbitrary<List<Field>> fields() {
    Arbitrary<String> names =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('_', '[', ']', '"', ' ')
            .ofMinLength(1)
            .ofMaxLength(12);
    Arbitrary<String> filenames =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .withChars('é', 'ß', '中', '\\')
            .ofMinLength(1)
            .ofMaxLength(20)
            .filter(s ->
                !s.isBlank() && !s.contains("\\\"") && !s.contains("\\\\") && !s.endsWith("\\"))
            .injectNull(0.4);
    Arbitrary<String> types =
        Arbitraries.of("text/plain", "application/pdf", "image/png", "text/csv; charset=utf-8")
            .injectNull(0.3);
    Arbitrary<byte[]> contents =
        Arbitraries.oneOf(
            Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
            Arbitraries.strings()
                .withChars('\r', '\n', '-', 'a', 'b', ' ')
                .ofMaxLength(60)
                .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    return Combinators.combine(names, filenames, types, contents)
        .as(Field::new)
        .list()
        .ofMaxSize(5);
  }

  @Provide
  Arbitrary<String> boundaries() {
    return Arbitraries.strings()
        .withCharRange('0', '9')
        .withCharRange('a', 'z')
        .withChars('-', '\'', '(', ')', '+', '_', ',', '.', '/', ':', '=', '?', ' ')
        .ofMinLength(1)
        .ofMaxLength(70)
        .filter(b -> !b.endsWith(" ") && !b.contains("\""));
  }

  @Provide
  Arbitrary<String> lineBreaks() {
    return Arbitraries.of("\r\n", "\n");
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    Arbitrary<byte[]> nearlyValid =
        Arbitraries.strings()
            .withChars('\r', '\n', '-', 'b', '0', 'u', 'n', 'd', 'a', 'r', 'y', ':', ';', '=', '"')
            .ofMaxLength(200)
            .map(s -> ("--b0undary\r\n" + s).getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(random, nearlyValid);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static int lastIndexOf(byte[] haystack, byte[] needle) {
    for (int i = haystack.length - needle.length; i >= 0; i--) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length
        && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }
}
