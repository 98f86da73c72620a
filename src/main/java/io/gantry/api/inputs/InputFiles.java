package io.gantry.api.inputs;

import io.gantry.config.FilesConfig;
import io.gantry.core.ErrorKind;
import io.gantry.edge.ApiException;
import io.gantry.store.FileBlobs;
import io.gantry.store.FileStore;
import io.gantry.store.StoredFile;
import io.gantry.translate.FileResolver;
import io.gantry.upstream.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Base64;
import java.util.function.Predicate;

/**
 * File and image inputs for the surfaces that translate items (Responses, Conversations): the
 * {@link FileResolver} they hand to {@code translate.InputItems}. Images become {@code data:} URLs
 * (from uploaded files, from allowed hosts, or as sent); files become text (see {@link FileTexts}).
 * Images are only accepted for a model that can see them: Ollama says so per model in {@code
 * /api/show}; openai-dialect backends are taken as capable, and their own error reaches the client
 * when they are not.
 */
public final class InputFiles {
  private static final String FILE_LIMIT = "files.max_input_file_bytes";

  private final FileStore store;
  private final FileBlobs blobs;
  private final long maxInputFileBytes;
  private final ImageFetcher fetcher;

  public InputFiles(FileStore store, FileBlobs blobs, FilesConfig config) {
    this.store = store;
    this.blobs = blobs;
    this.maxInputFileBytes = config.maxInputFileBytes();
    this.fetcher = new ImageFetcher(config.imageUrlAllowedHosts(), config.maxInputFileBytes());
  }

  /**
   * A resolver for a turn that {@code backend} runs as {@code model}. {@code mayRead} says whether
   * the caller's tenant owns a file id: every file named anywhere in the turn (the request, a
   * conversation's items, a rebuilt history) is checked when it is read, and another tenant's file
   * is answered exactly as a missing one.
   */
  public FileResolver forModel(Backend backend, String model, Predicate<String> mayRead) {
    return new Resolver(backend, model, mayRead);
  }

  /** A resolver for when no backend is chosen (counting input tokens): no capability check. */
  public FileResolver withoutModel(Predicate<String> mayRead) {
    return new Resolver(null, null, mayRead);
  }

  private final class Resolver implements FileResolver {
    private final Backend backend;
    private final String model;
    private final Predicate<String> mayRead;
    private boolean visionChecked;

    Resolver(Backend backend, String model, Predicate<String> mayRead) {
      this.backend = backend;
      this.model = model;
      this.mayRead = mayRead;
    }

    @Override
    public String image(String imageUrl, String fileId, String param) {
      checkVision(param);
      if (fileId != null) {
        return uploadedImage(fileId, param + ".file_id");
      }
      String at = param + ".image_url";
      if (imageUrl.regionMatches(true, 0, "data:", 0, 5)) {
        int comma = imageUrl.indexOf(',');
        if (comma < 0 || !imageUrl.substring(0, comma).toLowerCase().endsWith(";base64")) {
          throw ApiException.invalid(
              at, "An image data URL must be base64: data:image/png;base64,<data>.");
        }
        return imageUrl;
      }
      URI uri;
      try {
        uri = URI.create(imageUrl);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid(at, "'image_url' is not a valid URL.");
      }
      if (!fetcher.allows(uri)) {
        throw ApiException.invalid(
            at,
            "This gateway does not fetch remote images"
                + (uri.getHost() == null
                    ? ""
                    : " ('"
                        + uri.getHost()
                        + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                        + "' is not in files.image_url_allowed_hosts)")
                + ". Send the image as a data URL (data:image/png;base64,...), or upload it"
                + " (POST /v1/files) and send its file_id.");
      }
      return fetcher.fetchAsDataUrl(uri, at);
    }

    /** Ollama lists each model's capabilities; asked once per turn, cached by the backend. */
    private void checkVision(String param) {
      if (visionChecked || backend == null) {
        return;
      }
      if (!backend.canSeeImages(model)) {
        throw new ApiException(
            400,
            "invalid_request_error",
            "model_not_vision_capable",
            param,
            "Model '"
                + model
                + "' cannot take images: backend '"
                + backend.name()
                + "' does not list 'vision' among its capabilities. Use a vision model, or send"
                + " the request without input_image.",
            ErrorKind.CLIENT_INVALID);
      }
      visionChecked = true;
    }

    private String uploadedImage(String fileId, String param) {
      StoredFile file = find(fileId, param);
      byte[] bytes = read(file);
      String type = ContentTypes.sniffImage(bytes);
      if (type == null) {
        throw ApiException.invalid(
            param,
            "File '"
                + fileId
                + "' ("
                + file.filename()
                + ") is not a PNG, JPEG, GIF or WebP image, so it cannot be an input_image.");
      }
      return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public FileText file(String fileId, String filename, String fileData, String param) {
      if (fileId != null) {
        String at = param + ".file_id";
        StoredFile file = find(fileId, at);
        if (file.bytes() > maxInputFileBytes) {
          throw tooLarge(file.filename(), file.bytes(), at);
        }
        byte[] bytes = read(file);
        FileTexts.Kind kind = FileTexts.kind(file.filename(), file.contentType(), bytes, at);
        return new FileText(
            file.filename(),
            FileTexts.text(kind, file.filename(), bytes, maxInputFileBytes, at, FILE_LIMIT));
      }
      String at = param + ".file_data";
      String mediaType = null;
      String base64 = fileData;
      if (fileData.regionMatches(true, 0, "data:", 0, 5)) {
        int comma = fileData.indexOf(',');
        String header = comma < 0 ? "" : fileData.substring(5, comma);
        if (!header.toLowerCase().endsWith(";base64")) {
          throw ApiException.invalid(
              at, "A file_data data URL must be base64: data:application/pdf;base64,<data>.");
        }
        mediaType = header.substring(0, header.length() - ";base64".length());
        base64 = fileData.substring(comma + 1);
      }
      if (filename == null && (mediaType == null || mediaType.isEmpty())) {
        throw ApiException.invalid(
            param + ".filename",
            "An input_file with file_data needs 'filename' (its extension tells the file type).");
      }
      String name = filename != null ? filename : "file";
      // Checked before decoding, so an oversized inline file costs no decoding.
      long approximate = (long) base64.length() * 3 / 4;
      if (approximate > maxInputFileBytes + 3) {
        throw tooLarge(name, approximate, at);
      }
      byte[] bytes;
      try {
        bytes = Base64.getMimeDecoder().decode(base64);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid(at, "'file_data' is not valid base64: " + e.getMessage());
      }
      if (bytes.length > maxInputFileBytes) {
        throw tooLarge(name, bytes.length, at);
      }
      FileTexts.Kind kind = FileTexts.kind(filename, mediaType, bytes, at);
      return new FileText(
          name, FileTexts.text(kind, name, bytes, maxInputFileBytes, at, FILE_LIMIT));
    }

    private StoredFile find(String fileId, String param) {
      return store
          .find(fileId, System.currentTimeMillis() / 1000)
          .filter(file -> mayRead.test(file.id()))
          .orElseThrow(() ->
              new ApiException(
                  400,
                  "invalid_request_error",
                  "file_not_found",
                  param,
                  "No file found with id '" + fileId + "'.",
                  ErrorKind.CLIENT_INVALID));
    }

    private byte[] read(StoredFile file) {
      try {
        return blobs.read(file.id());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "the bytes of file " + file.id() + " cannot be read from the data directory", e);
      }
    }

    private ApiException tooLarge(String filename, long bytes, String param) {
      return ApiException.invalid(
          param,
          "input_file '"
              + filename
              + "' is "
              + bytes
              + " bytes; this gateway takes files of up to "
              + maxInputFileBytes
              + " bytes as input ("
              + FILE_LIMIT
              + ").");
    }
  }
}
