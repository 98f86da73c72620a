package io.gantry.translate;

import io.gantry.core.InvalidTurnException;

/**
 * Turns the file and image references of input items into what a chat backend can take: images
 * become {@code data:} URLs, files become text. {@link InputItems#toMessages} calls it for every
 * {@code input_image} and {@code input_file} part; the Files API implements it (reading uploaded
 * files, fetching allowed image hosts, extracting text, checking the model can see images), and
 * each surface passes one in. Implementations throw {@link InvalidTurnException} or an API error
 * naming {@code param} when a reference cannot be resolved.
 */
public interface FileResolver {

  /**
   * An {@code input_image} as the URL to send the backend (a {@code data:} URL).
   *
   * @param imageUrl the part's {@code image_url}, or null
   * @param fileId the part's {@code file_id}, or null (exactly one of the two is set)
   * @param param where the part is in the request, e.g. {@code input[0].content[1]}
   */
  String image(String imageUrl, String fileId, String param);

  /**
   * An {@code input_file} as text for the prompt.
   *
   * @param fileId the part's {@code file_id}, or null
   * @param filename the part's {@code filename}, or null
   * @param fileData the part's {@code file_data} (base64 or a base64 {@code data:} URL), or null
   */
  FileText file(String fileId, String filename, String fileData, String param);

  /** A file's name and its text. */
  record FileText(String filename, String text) {}

  /**
   * For checking that items convert, without reading anything: every reference is taken as it is
   * (images keep their URL or become {@code file:<id>}, files become empty text). Never for a turn
   * a backend runs.
   */
  FileResolver UNRESOLVED =
      new FileResolver() {
        @Override
        public String image(String imageUrl, String fileId, String param) {
          return imageUrl != null ? imageUrl : "file:" + fileId;
        }

        @Override
        public FileText file(String fileId, String filename, String fileData, String param) {
          return new FileText(filename != null ? filename : String.valueOf(fileId), "");
        }
      };

  /**
   * For surfaces without the Files API: {@code data:} URL images pass as they are (so do other
   * URLs, for the backend to judge); file ids and file inputs are refused.
   */
  FileResolver NONE =
      new FileResolver() {
        @Override
        public String image(String imageUrl, String fileId, String param) {
          if (imageUrl == null) {
            throw new InvalidTurnException(
                param + ".file_id",
                "input_image by file_id needs the Files API; send image_url as a data URL.");
          }
          return imageUrl;
        }

        @Override
        public FileText file(String fileId, String filename, String fileData, String param) {
          throw new InvalidTurnException(
              param, "input_file is not supported on this surface; send the text as input_text.");
        }
      };
}
