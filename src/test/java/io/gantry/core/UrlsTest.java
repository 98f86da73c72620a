package io.gantry.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlsTest {
  @Test
  void userInfoIsRedactedWhereverAUrlAppears() {
    assertThat(Urls.redact("http://user:pw@host:8000/v1"))
        .isEqualTo("http://REDACTED:REDACTED@host:8000/v1");
    assertThat(Urls.redact("backend at https://admin@10.0.0.1/v1 refused"))
        .isEqualTo("backend at https://REDACTED:REDACTED@10.0.0.1/v1 refused");
    assertThat(Urls.redact("redis://:s3cret@cache:6379/0"))
        .isEqualTo("redis://REDACTED:REDACTED@cache:6379/0");
  }

  @Test
  void anAtSignInThePathOrQueryIsNotUserInfo() {
    assertThat(Urls.redact("http://host:8000/v1/a@b")).isEqualTo("http://host:8000/v1/a@b");
    assertThat(Urls.redact("http://host:8000/v1?to=a@b")).isEqualTo("http://host:8000/v1?to=a@b");
    assertThat(Urls.redact("http://host:8000/v1")).isEqualTo("http://host:8000/v1");
    assertThat(Urls.redact(null)).isNull();
  }

  @Test
  void credentialQueryParametersLoseTheirValues() {
    assertThat(Urls.redact("http://h/v1?api_key=sk-123&model=x"))
        .isEqualTo("http://h/v1?api_key=REDACTED&model=x");
    assertThat(Urls.redact("http://h/v1?x=1&Token=abc"))
        .isEqualTo("http://h/v1?x=1&Token=REDACTED");
    assertThat(Urls.redact("http://h/v1?monkey=1")).isEqualTo("http://h/v1?monkey=1");
  }
}
