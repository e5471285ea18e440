/*
 * market: one image from a Market model (GPT Image 2 by default), with kie's Market API
 * (createTask + recordInfo) through the same calls as GPT Image 1. Lists the model presets
 * with --models.
 *
 *   KIE_API_KEY=... [KIE_BASE_URL=...] market "A lighthouse at dusk" [ASPECT] [RESOLUTION] [MODEL]
 *   market --models
 *
 * Prints the result URLs on stdout and the credits the task consumed on stderr; on failure the
 * status name and the detail JSON (a refused input names its field, e.g. "input.aspect_ratio").
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kieimage.h>

static int fail(const char *what, kie_status st) {
  fprintf(stderr, "%s failed: %s (%d)\n%s\n", what, kie_status_str(st), (int)st, kie_last_error());
  return 1;
}

static int list_models(void) {
  char *catalog = NULL;
  kie_status st = kie_models(&catalog);
  if (st != KIE_OK) return fail("kie_models", st);
  json_t *root = json_loads(catalog, 0, NULL);
  size_t i;
  json_t *model;
  json_array_foreach(json_object_get(root, "models"), i, model) {
    printf("%s (%s)\n", json_string_value(json_object_get(model, "model")), json_string_value(json_object_get(model, "kind")));
  }
  json_decref(root);
  kie_string_free(catalog);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PROMPT [ASPECT] [RESOLUTION] [MODEL] | --models\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "--models") == 0) return list_models();
  const char *aspect = argc > 2 ? argv[2] : "16:9";
  const char *resolution = argc > 3 ? argv[3] : "1K";
  const char *model = argc > 4 ? argv[4] : "gpt-image-2-text-to-image";

  /* The request names the model and its input; the library checks the preset's rules first. */
  json_t *request = json_pack("{s:s, s:{s:s, s:s, s:s}}", "model", model, "input", "prompt", argv[1],
                              "aspect_ratio", aspect, "resolution", resolution);
  char *request_text = json_dumps(request, JSON_COMPACT);
  json_decref(request);
  char *body = NULL;
  kie_status st = kie_request_build(request_text, &body);
  if (st != KIE_OK) {
    free(request_text);
    return fail("kie_request_build", st);
  }
  fprintf(stderr, "createTask body: %s\n", body);
  kie_string_free(body);

  kie_client *client = NULL;
  st = kie_client_new("{\"poll\":{\"initialMs\":300}}", &client);
  if (st != KIE_OK) {
    free(request_text);
    return fail("kie_client_new", st);
  }
  char *submitted = NULL;
  st = kie_generate(client, request_text, &submitted);
  free(request_text);
  if (st != KIE_OK) {
    kie_client_free(client);
    return fail("kie_generate", st);
  }
  json_t *sub = json_loads(submitted, 0, NULL);
  kie_string_free(submitted);
  const char *task_id = json_string_value(json_object_get(sub, "taskId"));
  fprintf(stderr, "task %s (%s)\n", task_id ? task_id : "?", json_string_value(json_object_get(sub, "family")));

  char *task_text = NULL;
  st = kie_task_wait(client, task_id, NULL, NULL, NULL, &task_text);
  json_decref(sub);
  if (st != KIE_OK) {
    kie_client_free(client);
    return fail("kie_task_wait", st);
  }
  json_t *task = json_loads(task_text, 0, NULL);
  kie_string_free(task_text);
  size_t i;
  json_t *url;
  json_array_foreach(json_object_get(task, "resultUrls"), i, url) { printf("%s\n", json_string_value(url)); }
  json_t *credits = json_object_get(task, "creditsConsumed");
  if (json_is_number(credits)) fprintf(stderr, "credits consumed: %g\n", json_number_value(credits));
  fprintf(stderr, "model %s, state %s\n", json_string_value(json_object_get(task, "model")),
          json_string_value(json_object_get(task, "state")));
  json_decref(task);
  kie_client_free(client);
  return 0;
}
