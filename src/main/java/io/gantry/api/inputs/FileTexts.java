package io.gantry.api.inputs;

import io.gantry.edge.ApiException;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * The text a chat backend gets for an {@code input_file}: plain text, Markdown, JSON and CSV as
 * they are (UTF-8), PDF as the text PDFBox extracts. Chat backends take no documents, so text is
 * what a local model can read. Anything else is refused, naming its type.
 */
final class FileTexts {
  private FileTexts() {}

  /** What a file is read as. */
  enum Kind {
    TEXT,
    PDF
  }

  static final String SUPPORTED = "plain text, Markdown, JSON, CSV or PDF";

  /**
   * The kind of file, from its name, then its media type, then its first bytes.
   *
   * @throws ApiException (400) naming the type when it is none Gantry reads
   */
  static Kind kind(String filename, String contentType, byte[] bytes, String param) {
    String type = ContentTypes.fromFilename(filename);
    if (type == null) {
      String given = ContentTypes.essence(contentType);
      type = given == null || given.equals(ContentTypes.OCTET_STREAM) ? null : given;
    }
    if (type == null && ContentTypes.isPdf(bytes)) {
      type = "application/pdf";
    }
    if (type != null) {
      if (type.equals("application/pdf")) {
        return Kind.PDF;
      }
      if (type.startsWith("text/")
          || type.equals("application/json")
          || type.equals("application/jsonl")
          || type.equals("application/x-ndjson")) {
        return Kind.TEXT;
      }
    }
    throw ApiException.invalid(
        param,
        "input_file '"
            + (filename == null ? "(no filename)" : filename)
            + "' has type '"
            + (type == null ? ContentTypes.OCTET_STREAM : type)
            + "', which this gateway cannot turn into text; send "
            + SUPPORTED
            + ".");
  }

  /**
   * The file's text, at most {@code maxBytes} of it in UTF-8.
   *
   * @throws ApiException (400) when the bytes are not what the kind says, or the text is too long
   */
  static String text(
      Kind kind, String filename, byte[] bytes, long maxBytes, String param, String limitName) {
    String text =
        switch (kind) {
          case TEXT -> utf8(filename, bytes, param);
          case PDF -> pdf(filename, bytes, maxBytes, param, limitName);
        };
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    long size = utf8Length(text);
    if (size > maxBytes) {
      throw tooLong(filename, size, maxBytes, param, limitName);
    }
    return text;
  }

  private static String utf8(String filename, byte[] bytes, String param) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiException.invalid(
          param, "input_file '" + filename + "' is not UTF-8 text; send it as UTF-8.");
    }
  }

  private static String pdf(
      String filename, byte[] bytes, long maxBytes, String param, String limitName) {
    try (PDDocument document = Loader.loadPDF(bytes)) {
      PDFTextStripper stripper = new PDFTextStripper();
      StringBuilder out = new StringBuilder();
      // Stops extracting as soon as the text is over the limit, instead of building it all.
      stripper.writeText(document, new BoundedWriter(out, maxBytes));
      return out.toString();
    } catch (BoundedWriter.Full full) {
      throw tooLong(filename, full.size, maxBytes, param, limitName);
    } catch (InvalidPasswordException e) {
      throw ApiException.invalid(
          param, "input_file '" + filename + "' is a password-protected PDF; send it unlocked.");
    } catch (IOException | RuntimeException e) {
      throw ApiException.invalid(
          param, "input_file '" + filename + "' cannot be read as a PDF: " + e.getMessage());
    }
  }

  private static ApiException tooLong(
      String filename, long size, long maxBytes, String param, String limitName) {
    return ApiException.invalid(
        param,
        "The text of input_file '"
            + filename
            + "' is "
            + (size > maxBytes ? "more than " + maxBytes : String.valueOf(size))
            + " bytes; this gateway takes up to "
            + maxBytes
            + " bytes of text per file ("
            + limitName
            + ").");
  }

  private static long utf8Length(CharSequence text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Collects text and gives up once it is longer than a limit (counted in UTF-8 bytes). */
  private static final class BoundedWriter extends Writer {
    static final class Full extends IOException {
      final long size;

      Full(long size) {
        super("text over the limit");
        this.size = size;
      }
    }

    private final StringBuilder out;
    private final long maxBytes;
    private long bytes;

    BoundedWriter(StringBuilder out, long maxBytes) {
      this.out = out;
      this.maxBytes = maxBytes;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
      CharSequence piece = java.nio.CharBuffer.wrap(chars, offset, length);
      bytes += utf8Length(piece);
      if (bytes > maxBytes) {
        throw new Full(bytes);
      }
      out.append(chars, offset, length);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
