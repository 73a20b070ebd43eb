/*
 * The UTF-8 data sets: a JSON document of records, German verse drama and an
 * HTML report page. Each is pieces (a record, a speech, a table row) added
 * while they fit, then closed with filler words that make the exact size.
 */
#include <stdio.h>
#include <string.h>

#include "lang/dataset_build.h"

typedef void (*piece_writer)(gen_buf *b, gen_rng *r, unsigned k);

/* Adds pieces 0, 1, ... while `reserve` bytes stay free; returns how many. */
static unsigned add_pieces(gen_buf *b, gen_rng *r, piece_writer piece, size_t reserve)
{
    for (unsigned k = 0;; k++) {
        size_t mark = b->n;
        piece(b, r, k);
        if (b->overflow || b->cap - b->n < reserve) {
            b->n = mark;
            b->overflow = false;
            return k;
        }
    }
}

/* Filler words: ASCII, so that cutting the last one keeps the text UTF-8. */
typedef struct word_list {
    const char *const *words;
    size_t count;
} word_list;

#define WORD_LIST(a) ((word_list){(a), sizeof(a) / sizeof((a)[0])})

static const char *const german_filler[] = {
    "und", "der", "die", "das", "in", "zu", "den", "nicht", "von", "sie", "ist", "des", "sich",
    "mit", "dem", "dass", "er", "es", "ein", "ich", "auf", "so", "eine", "auch", "als", "an",
    "nach", "wie", "im", "Zeit", "Jahr", "Gedanke", "Sehnsuchtsvoll", "Abend", "Stunde", "Wort",
    "Nacht", "Herz", "Liebe", "Himmel", "Stadt", "Wahrheit", "Schicksal", "Ort", "o", "Leben",
};

/* before + filler words + after, ending exactly at b->cap. */
static bool close_with_filler(gen_buf *b, gen_rng *r, word_list filler, const char *before,
                              const char *after)
{
    size_t fixed = strlen(before) + strlen(after);
    if (b->cap - b->n < fixed)
        return false;
    gen_puts(b, before);
    gen_fill_words(b, r, filler.words, filler.count, b->cap - b->n - strlen(after));
    gen_puts(b, after);
    return !b->overflow && b->n == b->cap;
}

/* -- shared vocabulary -- */

typedef struct person_name {
    const char *shown, *ascii;
} person_name;

static const person_name first_names[] = {
    {"Jörg", "joerg"},     {"Jürgen", "juergen"},   {"Björn", "bjoern"},   {"Anna", "anna"},
    {"Käthe", "kaethe"},   {"Günther", "guenther"}, {"Sören", "soeren"},   {"Lena", "lena"},
    {"Max", "max"},        {"Zoë", "zoe"},          {"René", "rene"},      {"Håkon", "hakon"},
    {"Ines", "ines"},      {"Lukas", "lukas"},      {"Mareike", "mareike"}, {"Jörn", "joern"},
    {"Ursula", "ursula"},  {"Timo", "timo"},        {"Özlem", "oezlem"},   {"Paul", "paul"},
};

static const person_name last_names[] = {
    {"Müller", "mueller"},   {"Schäfer", "schaefer"}, {"Weiß", "weiss"},     {"Groß", "gross"},
    {"Krüger", "krueger"},   {"Köhler", "koehler"},   {"Schmidt", "schmidt"}, {"Becker", "becker"},
    {"Hoffmann", "hoffmann"}, {"Wagner", "wagner"},   {"Löwe", "loewe"},     {"Fuchs", "fuchs"},
    {"Bäcker", "baecker"},   {"Jäger", "jaeger"},     {"Vogel", "vogel"},    {"Straße", "strasse"},
};

static const char *const cities[] = {
    "München", "Köln", "Düsseldorf", "Nürnberg", "Würzburg", "Lübeck", "Göttingen", "Berlin",
    "Hamburg", "Zürich", "Graz", "Saarbrücken", "Osnabrück", "Tübingen", "Gießen", "Bremen",
};

static const char *const streets[] = {
    "Hauptstraße", "Schloßallee", "Gartenweg", "Mühlenstraße", "Lindenstraße", "Am Brühl",
    "Königsplatz", "Bahnhofstraße", "Rosenstraße", "Fährweg",
};

static const char *const companies[] = {
    "ZYTREX", "KÖRBER", "NUMERA", "ALPENHOF", "GRÜNWERK", "FLUXON", "ORBITA", "STAHLBAU",
    "MÜHLE", "VERTIKA", "QUANTA", "BRÜCKE",
};

static const char *const latin_words[] = {
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
    "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim",
    "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip",
    "commodo", "consequat", "duis", "aute", "irure", "voluptate", "velit", "esse", "cillum",
    "fugiat", "nulla", "pariatur", "excepteur", "sint", "occaecat", "cupidatat", "proident",
};

/* -- json -- */

static void json_sentence(gen_buf *b, gen_rng *r, int words)
{
    for (int i = 0; i < words; i++)
        gen_putf(b, i ? " %s" : "%s", GEN_PICK(r, latin_words));
    gen_puts(b, ".");
}

static void json_friends(gen_buf *b, gen_rng *r)
{
    static const char *const fruits[] = {"apple", "banana", "strawberry", "Äpfel", "cherry"};
    gen_puts(b, "    \"friends\": [\n");
    for (int i = 0, n = gen_range(r, 1, 3); i < n; i++) {
        const person_name *f = &GEN_PICK(r, first_names), *l = &GEN_PICK(r, last_names);
        gen_putf(b, "      {\n        \"id\": %d,\n        \"name\": \"%s %s\",\n", i, f->shown,
                 l->shown);
        gen_putf(b, "        \"favoriteFruit\": \"%s\"\n      }%s\n", GEN_PICK(r, fruits),
                 i + 1 < n ? "," : "");
    }
    gen_puts(b, "    ],\n");
}

static void json_record(gen_buf *b, gen_rng *r, unsigned k)
{
    static const char *const eyes[] = {"blue", "brown", "green", "grey"};
    const person_name *f = &GEN_PICK(r, first_names), *l = &GEN_PICK(r, last_names);
    const char *company = GEN_PICK(r, companies);
    unsigned guid_time = (unsigned)gen_next(r), guid_mid = gen_below(r, 0x10000);
    unsigned guid_low = gen_below(r, 0x1000);
    gen_putf(b, "  {\n    \"id\": %u,\n    \"guid\": \"%08x-%04x-4%03x\",\n", k, guid_time,
             guid_mid, guid_low);
    gen_putf(b, "    \"isActive\": %s,\n", gen_below(r, 2) ? "true" : "false");
    GEN_PUT_NUMBER(b, r, "    \"balance\": %d", 1000, 3999);
    GEN_PUT_NUMBER(b, r, ".%02d,\n", 0, 99);
    GEN_PUT_NUMBER(b, r, "    \"age\": %d,\n", 20, 70);
    gen_putf(b, "    \"eyeColor\": \"%s\",\n    \"name\": {\n      \"first\": \"%s\",\n"
                "      \"last\": \"%s\"\n    },\n",
             GEN_PICK(r, eyes), f->shown, l->shown);
    gen_putf(b, "    \"company\": \"%s\",\n    \"email\": \"%s.%s@mail.example\",\n", company,
             f->ascii, l->ascii);
    gen_putf(b, "    \"address\": {\n      \"street\": \"%s", GEN_PICK(r, streets));
    GEN_PUT_NUMBER(b, r, " %d\",\n", 1, 99);
    gen_putf(b, "      \"city\": \"%s\",\n", GEN_PICK(r, cities));
    GEN_PUT_NUMBER(b, r, "      \"zip\": \"%05d\"\n    },\n", 10000, 99999);
    gen_puts(b, "    \"about\": \"");
    json_sentence(b, r, gen_range(r, 6, 14));
    GEN_PUT_NUMBER(b, r, "\",\n    \"registered\": \"20%02d", 10, 19);
    GEN_PUT_NUMBER(b, r, "-%02d", 1, 12);
    GEN_PUT_NUMBER(b, r, "-%02d", 1, 28);
    GEN_PUT_NUMBER(b, r, "T%02d", 0, 23);
    GEN_PUT_NUMBER(b, r, ":%02d:00\",\n", 0, 59);
    GEN_PUT_NUMBER(b, r, "    \"latitude\": %d", 47, 54);
    GEN_PUT_NUMBER(b, r, ".%04d,\n", 0, 9999);
    GEN_PUT_NUMBER(b, r, "    \"longitude\": %d", 6, 14);
    GEN_PUT_NUMBER(b, r, ".%04d,\n", 0, 9999);
    gen_puts(b, "    \"tags\": [\n");
    for (int i = 0; i < 3; i++)
        gen_putf(b, "      \"%s\"%s\n", GEN_PICK(r, latin_words), i < 2 ? "," : "");
    gen_puts(b, "    ],\n");
    json_friends(b, r);
    gen_putf(b, "    \"greeting\": \"Hallo, %s! Du hast %d ungelesene Nachrichten.\"\n  },\n",
             f->shown, gen_range(r, 1, 20));
}

bool dataset_make_json(gen_buf *b)
{
    gen_rng r = {0x6a736f6e};
    gen_puts(b, "[\n");
    unsigned count = add_pieces(b, &r, json_record, 64);
    char last[64];
    snprintf(last, sizeof last, "  {\n    \"id\": %u,\n    \"about\": \"", count);
    return close_with_filler(b, &r, WORD_LIST(latin_words), last, "\"\n  }\n]\n");
}

/* -- prose -- */

static const char *const speakers[] = {
    "FAUST", "MARGARETE", "MEPHISTOPHELES", "WAGNER", "MARTHE", "VALENTIN", "DER KÖNIG",
    "DIE KÖNIGIN", "GRÄFIN ORSINA", "ODOARDO", "DER STÜRMER", "EIN SCHÜLER", "CHOR",
};

static const char *const prose_nouns[] = {
    "Herz", "Nacht", "Welt", "Seele", "Himmel", "Erde", "Blut", "Gott", "Geist", "Liebe", "Tod",
    "Glück", "Schmerz", "Träne", "Mädchen", "Knabe", "König", "Krone", "Schwert", "Straße", "Tür",
    "Fenster", "Garten", "Blume", "Rose", "Wald", "Berg", "Fluß", "Meer", "Sturm", "Wind", "Sonne",
    "Mond", "Stern", "Feuer", "Wasser", "Stimme", "Hand", "Auge", "Mund", "Stirn", "Brust",
    "Schuld", "Ehre", "Treue", "Freiheit", "Vater", "Mutter", "Bruder", "Schwester", "Freund",
    "Feind", "Diener", "Herr", "Frau", "Kammer", "Schloß", "Kirche", "Glocke", "Stunde", "Morgen",
    "Abend", "Traum", "Wahn", "Zorn", "Gnade", "Rache", "Frühling", "Sommer", "Winter", "Gruß",
    "Kuß", "Lied", "Wort", "Schwur", "Brief", "Ring", "Becher", "Wein", "Brot", "Gold", "Schatz",
    "Jüngling", "Greis", "Fürst", "Bürger", "Bauer", "Hütte", "Mühle", "Brücke", "Tal", "Höhle",
};

static const char *const prose_verbs[] = {
    "liebt", "weint", "flieht", "schweigt", "ruft", "glüht", "bebt", "stirbt", "lebt", "träumt",
    "fühlt", "weiß", "sieht", "hört", "spricht", "fällt", "steigt", "sinkt", "blüht", "welkt",
    "schwört", "verzeiht", "vergißt", "erwacht", "schläft", "wacht", "kämpft", "siegt", "betet",
    "zürnt", "grüßt", "küßt", "führt", "trägt", "bricht", "läßt", "hält", "gibt", "nimmt", "kommt",
    "geht", "bleibt", "wartet", "fragt", "antwortet", "klagt", "jauchzt", "zittert", "ahnt",
};

static const char *const prose_adjectives[] = {
    "süße", "bleiche", "stille", "dunkle", "helle", "kühle", "heiße", "große", "kleine", "schöne",
    "böse", "gute", "treue", "falsche", "müde", "fröhliche", "traurige", "heilige", "ewige",
    "junge", "alte", "fremde", "eigne", "wilde", "sanfte", "grüne", "goldne", "schwüle", "öde",
    "rötliche", "weiße", "schwere", "leichte", "tiefe", "hohe", "nahe", "ferne", "bittre",
};

static const char *const prose_small[] = {
    "und", "doch", "ach", "o", "wie", "so", "nicht", "nie", "noch", "schon", "nur", "auch", "da",
    "dort", "hier", "wo", "wenn", "weil", "daß", "ob", "als", "mit", "ohne", "für", "über",
    "unter", "vor", "nach", "durch", "gegen", "zu", "aus", "bei", "ich", "du", "er", "sie", "wir",
    "ihr", "mein", "dein", "sein", "mir", "dir", "mich", "dich", "uns", "euch", "ja", "nein",
    "der", "die", "das", "dem", "den", "des", "ein", "eine", "einem", "kein", "all", "immer",
    "heute", "morgen", "bald", "längst", "zurück", "hinweg", "empor", "hinab", "fürwahr",
};

static const char *const line_ends[] = {",", ",", ".", ".", "!", "?", ";", "", "", " —"};

/* A word from the lists above: nouns capitalised, some compounds. */
static void prose_word(gen_buf *b, gen_rng *r, bool first)
{
    uint32_t kind = gen_below(r, 10);
    if (kind < 3) {
        gen_puts(b, GEN_PICK(r, prose_nouns));
        if (gen_below(r, 4) == 0) { /* a compound: the second noun in lower case */
            const char *second = GEN_PICK(r, prose_nouns);
            gen_putf(b, "%c%s", second[0] | 0x20, second + 1);
        }
    } else if (kind < 5) {
        gen_puts(b, GEN_PICK(r, prose_verbs));
    } else if (kind < 7) {
        gen_puts(b, GEN_PICK(r, prose_adjectives));
    } else {
        const char *w = GEN_PICK(r, prose_small);
        if (first && w[0] >= 'a' && w[0] <= 'z')
            gen_putf(b, "%c%s", w[0] & ~0x20, w + 1);
        else
            gen_puts(b, w);
    }
}

static void prose_speech(gen_buf *b, gen_rng *r, unsigned k)
{
    static const char *const directions[] = {
        "leise", "für sich", "tritt näher", "zögernd", "mit Nachdruck", "wendet sich ab",
        "kniet nieder", "lachend", "erschrocken", "zum Fenster hinaus",
    };
    if (k % 60 == 0)
        gen_putf(b, "\n\n%u. AUFTRITT.\n\n(Ein Zimmer im Schloß. Später Abend.)\n", k / 60 + 1);
    gen_putf(b, "\n%s", GEN_PICK(r, speakers));
    if (gen_below(r, 5) == 0)
        gen_putf(b, " (%s)", GEN_PICK(r, directions));
    gen_puts(b, ".\n");
    for (int line = 0, lines = gen_range(r, 1, 7); line < lines; line++) {
        for (int w = 0, words = gen_range(r, 4, 8); w < words; w++) {
            if (w)
                gen_puts(b, " ");
            prose_word(b, r, w == 0);
        }
        gen_putf(b, "%s\n", GEN_PICK(r, line_ends));
    }
}

bool dataset_make_prose(gen_buf *b)
{
    gen_rng r = {0x70726f7365};
    gen_puts(b, "DIE NACHT IM SCHLOSS\n\nEin Trauerspiel in fünf Aufzügen\n");
    add_pieces(b, &r, prose_speech, 64);
    return close_with_filler(b, &r, WORD_LIST(german_filler), "\nCHOR.\n",
                             ".\n\n(Der Vorhang fällt.)\n");
}

/* -- html -- */

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>Jahresbericht der Zweigstellen — Übersicht</title>\n<style>\n"
    "body { font-family: \"Helvetica Neue\", Arial, sans-serif; margin: 0; color: #222; }\n"
    ".page { max-width: 1200px; margin: 0 auto; padding: 24px; }\n"
    "h1, h2 { font-weight: 600; color: #1a3c6e; }\n"
    "table.report { border-collapse: collapse; width: 100%; margin-bottom: 32px; }\n"
    "table.report th { background: #1a3c6e; color: #fff; text-align: left; padding: 6px; }\n"
    "table.report td { border-bottom: 1px solid #ddd; padding: 4px 6px; }\n"
    "tr.odd td { background: #f6f8fb; }\n"
    "td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
    ".status-ok { color: #2e7d32; } .status-open { color: #c62828; }\n"
    ".status-wait { color: #ef6c00; }\n"
    "a { color: #1565c0; text-decoration: none; } a:hover { text-decoration: underline; }\n"
    "</style>\n</head>\n<body>\n<div class=\"page\">\n"
    "<h1>Jahresbericht der Zweigstellen</h1>\n"
    "<p class=\"intro\">Umsätze, Prüfungen und Ansprechpartner aller Zweigstellen.</p>\n";

static const char html_table_start[] =
    "<table class=\"report\">\n<thead>\n<tr><th>Nr.</th><th>Zweigstelle</th><th>Leitung</th>"
    "<th>Ort</th><th>Umsatz</th><th>Prüfung</th><th>Status</th></tr>\n</thead>\n<tbody>\n";

static void html_row(gen_buf *b, gen_rng *r, unsigned k)
{
    static const char *const states[][2] = {
        {"ok", "geprüft"}, {"open", "offen"}, {"wait", "in Prüfung"}, {"ok", "abgeschlossen"},
    };
    if (k % 200 == 0) {
        if (k)
            gen_puts(b, "</tbody>\n</table>\n");
        gen_putf(b, "<h2 id=\"region-%u\">Region %u</h2>\n%s", k / 200 + 1, k / 200 + 1,
                 html_table_start);
    }
    const person_name *f = &GEN_PICK(r, first_names), *l = &GEN_PICK(r, last_names);
    const char *city = GEN_PICK(r, cities);
    const char *const *state = states[gen_below(r, 4)];
    unsigned branch = 1000 + gen_below(r, 9000);
    gen_putf(b, "<tr class=\"%s\"><td class=\"num\">%u</td>", k % 2 ? "odd" : "even", k + 1);
    gen_putf(b, "<td><a href=\"/zweigstellen/%u/index.html\" title=\"Zweigstelle %s\">"
                "%s %s</a></td>", branch, city, GEN_PICK(r, companies), city);
    gen_putf(b, "<td><a href=\"mailto:%s.%s@example.org\">%s %s</a>", f->ascii, l->ascii,
             f->shown, l->shown);
    GEN_PUT_NUMBER(b, r, " (0%d", 30, 999);
    GEN_PUT_NUMBER(b, r, " %d)", 10000, 9999999);
    gen_putf(b, "</td><td>%s</td>", city);
    GEN_PUT_NUMBER(b, r, "<td class=\"num\">%d", 1, 999);
    GEN_PUT_NUMBER(b, r, ".%03d", 0, 999);
    GEN_PUT_NUMBER(b, r, ",%02d €</td>", 0, 99);
    GEN_PUT_NUMBER(b, r, "<td>%02d", 1, 28);
    GEN_PUT_NUMBER(b, r, ".%02d", 1, 12);
    GEN_PUT_NUMBER(b, r, ".20%02d</td>", 15, 19);
    gen_putf(b, "<td><span class=\"status-%s\">%s</span></td></tr>\n", state[0], state[1]);
}

bool dataset_make_html(gen_buf *b)
{
    gen_rng r = {0x68746d6c};
    gen_puts(b, html_head);
    add_pieces(b, &r, html_row, 128);
    return close_with_filler(b, &r, WORD_LIST(german_filler),
                             "</tbody>\n</table>\n<p class=\"note\">Anmerkungen: ",
                             "</p>\n</div>\n</body>\n</html>\n");
}
