/* Style sheet, filter script and the page head that allows only them
 * (html_assets.h). */
#include "report/html_assets.h"

#include <string.h>

#include <openssl/evp.h>

static const char style[] =
    ":root{--ok:#2e9e44;--nonstrict:#d8b400;--info:#7a8cc4;--unimpl:#a0a0a0;--failed:#d62d20;"
    "--notrun:#cfcfcf;--unclean:#e37c1c;--wrongcode:#b3261e;--byclient:#8e24aa;"
    "--missing:#ececec;--out:#e8f0fe;--in:#fff4e0}\n"
    "body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#1b1b1b}\n"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}\n"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
    "vertical-align:top;text-align:left}\n"
    "pre,code,.mono{font-family:ui-monospace,monospace;font-size:12px}\n"
    "pre{white-space:pre-wrap;word-break:break-all;margin:0}\n"
    ".esc{background:#ffe0e0;color:#900;border-radius:2px}\n"
    ".v{font-weight:bold;text-align:center;white-space:nowrap}\n"
    ".v-ok{background:var(--ok);color:#fff}.v-nonstrict{background:var(--nonstrict)}"
    ".v-info{background:var(--info);color:#fff}.v-unimpl{background:var(--unimpl)}"
    ".v-failed{background:var(--failed);color:#fff}.v-notrun{background:var(--notrun)}"
    ".v-unclean{background:var(--unclean)}.v-wrongcode{background:var(--wrongcode);color:#fff}"
    ".v-byclient{background:var(--byclient);color:#fff}.v-missing{background:var(--missing);"
    "color:#777;font-style:italic}.v-unknown{background:#000;color:#fff}\n"
    ".v a{color:inherit}\n"
    "tr.section-head th{background:#333;color:#fff;font-size:1.05em}\n"
    "tr.sub-head th{background:#ddd}\n"
    ".counts{font-weight:normal;font-size:12px}\n"
    "#filters{margin:1em 0;padding:.5em;background:#f4f4f4}\n"
    "#filters label{margin-right:1.5em}\n"
    ".pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}\n"
    ".pair>div{min-width:0}\n"
    ".box{border:1px solid #ccc;padding:.5em;background:#fafafa}\n"
    ".dir-out{background:var(--out)}.dir-in{background:var(--in)}\n"
    ".chunk{margin:.4em 0;padding:.3em;border-left:6px solid}\n"
    ".chunk.dir-out{border-color:#3b6fd4;margin-right:6em}"
    ".chunk.dir-in{border-color:#d48a1b;margin-left:6em}\n"
    ".chunk-head{font-weight:bold;font-size:12px}\n"
    ".legend span{display:inline-block;padding:0 .5em;margin-right:.3em}\n"
    ".note{color:#555;font-style:italic}\n";

/* Shows the filter bar (hidden without scripts, where it could do nothing)
 * and hides the rows that do not match. Filters can be preset from the URL:
 * index.html#failed&section=7&q=close. Reads text only through textContent
 * and writes none. */
static const char script[] =
    "(function(){'use strict';\n"
    "var bar=document.getElementById('filters');if(!bar)return;\n"
    "var failed=document.getElementById('f-failed'),section=document.getElementById('f-section'),"
    "search=document.getElementById('f-search'),status=document.getElementById('f-status');\n"
    "var groups=document.querySelectorAll('tbody.section');\n"
    "function apply(){\n"
    " var q=search.value.trim().toLowerCase(),sec=section.value,only=failed.checked,shown=0,all=0;\n"
    " groups.forEach(function(g){\n"
    "  var any=false,sub=null,subAny=false,inSec=(sec===''||g.dataset.section===sec);\n"
    "  Array.prototype.forEach.call(g.rows,function(r){\n"
    "   if(r.classList.contains('sub-head')){if(sub)sub.hidden=!subAny;sub=r;subAny=false;return;}\n"
    "   if(!r.classList.contains('case'))return;\n"
    "   all++;\n"
    "   var key=(r.cells[0].textContent+' '+r.cells[1].textContent).toLowerCase();\n"
    "   var vis=inSec&&(!only||r.dataset.failed==='1')&&(q===''||key.indexOf(q)>=0);\n"
    "   r.hidden=!vis;if(vis){any=true;subAny=true;shown++;}\n"
    "  });\n"
    "  if(sub)sub.hidden=!subAny;g.hidden=!any;\n"
    " });\n"
    " status.textContent=shown+' of '+all+' cases shown';\n"
    "}\n"
    "var preset=new URLSearchParams(location.hash.slice(1));\n"
    "if(preset.has('failed'))failed.checked=true;\n"
    "if(preset.has('section'))section.value=preset.get('section');\n"
    "if(preset.has('q'))search.value=preset.get('q');\n"
    "failed.addEventListener('change',apply);section.addEventListener('change',apply);\n"
    "search.addEventListener('input',apply);\n"
    "bar.hidden=false;apply();\n"
    "})();\n";

/* 'sha256-BASE64' of text, for the policy. */
static void csp_hash(char out[64], const char *text)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    unsigned char b64[64];
    EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
    EVP_EncodeBlock(b64, md, (int)mdlen);
    memcpy(out, b64, 45);
    out[44] = '\0';
}

void html_page_start(html_buf *b, const char *title, bool with_script)
{
    /* the digests of constant text: computed once */
    static char style_hash[64], script_hash[64];
    if (!style_hash[0]) {
        csp_hash(style_hash, style);
        csp_hash(script_hash, script);
    }
    hb_raw(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
              "style-src 'sha256-");
    hb_raw(b, style_hash);
    hb_raw(b, "'; script-src ");
    if (with_script) {
        hb_raw(b, "'sha256-");
        hb_raw(b, script_hash);
        hb_raw(b, "'");
    } else {
        hb_raw(b, "'none'");
    }
    hb_raw(b, "; img-src 'none'; base-uri 'none'; form-action 'none'\">\n"
              "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
    hb_attr(b, title);
    hb_raw(b, "</title>\n<style>");
    hb_raw(b, style);
    hb_raw(b, "</style></head>\n<body>\n");
}

void html_page_end(html_buf *b, bool with_script)
{
    if (with_script) {
        hb_raw(b, "<script>");
        hb_raw(b, script);
        hb_raw(b, "</script>\n");
    }
    hb_raw(b, "</body></html>\n");
}
