//! The HTML reports in a real browser: headless Chromium opens report.html of a sample
//! submission and cohort.html of generated bundles. The screenshot is not blank, every heading
//! of the Markdown report built from the same inputs is a heading of the page Chromium parsed
//! (its `--dump-dom`), and the page asks nothing of the network: Chromium is pointed at a proxy
//! this test owns, which counts every connection. A page with a remote image proves that the
//! proxy sees requests, and an empty page that the blank check sees blank pages.
//!
//! Without `chromium`, `chromium-browser` or `google-chrome` on PATH each test says it was
//! skipped and passes, except under CI (`CI=true`), where a missing browser fails; `.ci/run`
//! installs Debian's `chromium` and sets `CI=true`.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::common::*;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The window, and so the screenshot: wide enough for the tables, tall enough for the cover and
/// the first sections.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2000;

/// A browser that has not exited by then is killed and the test fails. Chromium itself stops
/// loading after `--timeout` (5 s), so this only catches a hung browser.
const HARD_LIMIT: Duration = Duration::from_secs(60);

/// Flags of every run. Besides headless rendering, they turn off the requests Chromium makes of
/// its own, so that any connection the proxy sees comes from the page:
/// - the usual switches for background traffic (component and extension updates, sync, pings,
///   metrics, phishing model, domain reliability, first-run and default-browser checks);
/// - as features, two things those switches leave on: the network-time query
///   (clients2.google.com, at start) and the optimisation guide's hints and models
///   (optimizationguide-pa.googleapis.com, seen when the browser stayed open 30 s);
/// - two requests no switch turns off in Chromium 156: the Google-accounts check (ListAccounts on
///   accounts.google.com, sent whenever a profile's network starts) and the on-demand update
///   check of the optimisation guide's model manifest (update.googleapis.com, sent despite
///   `--disable-component-update`). Their servers are moved to port 0, which Chromium refuses
///   to connect to, so they fail inside the browser without a connection.
const FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--force-device-scale-factor=1",
    "--hide-scrollbars",
    "--timeout=5000",
    // The proxy gets loopback addresses too (Chromium sends them direct by default).
    "--proxy-bypass-list=<-loopback>",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--no-pings",
    "--metrics-recording-only",
    "--no-first-run",
    "--no-default-browser-check",
    "--password-store=basic",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,OptimizationHintsFetching,\
     OptimizationGuideModelDownloading,OptimizationTargetPrediction,Translate,MediaRouter",
    "--gaia-url=http://0.0.0.0:0/",
    "--component-updater=url-source=http://0.0.0.0:0/",
];

/// The browser on PATH, or None after saying that the test is skipped. The message goes to the
/// process's stderr rather than through `eprintln!`, which the test harness would swallow.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .find_map(|name| {
                std::env::split_paths(&path)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
    });
    if found.is_none() {
        // Under CI the browser is part of the setup (.ci/run installs it): its absence fails.
        assert!(
            !under_ci(),
            "chromium is not installed but CI is set: .ci/run installs Debian's chromium"
        );
        let _ = writeln!(
            std::io::stderr(),
            "skipped: chromium not installed; .ci/run installs it"
        );
    }
    found
}

/// True when the `CI` variable says the tests run in continuous integration (`CI=true`, as
/// .ci/run and the usual CI services set it).
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A stand-in HTTP proxy on a loopback port: it accepts every connection, keeps its first line
/// (`CONNECT example.com:443 HTTP/1.1`, `GET http://...`) and closes it, so nothing goes further.
struct Proxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    thread: JoinHandle<()>,
}

/// The line `Proxy::finish` sends to stop the accepting thread.
const STOP: &str = "STOP sandbox-report browser test";

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                let line = match stream {
                    Ok(s) => first_line(s),
                    Err(e) => format!("(a connection that failed: {e})"),
                };
                if line == STOP {
                    break;
                }
                record.lock().unwrap().push(line);
            }
        });
        Proxy { port, seen, thread }
    }

    /// Every connection received, once the browser has exited: the connections it made wait in
    /// the listener's queue ahead of the one that stops the thread.
    fn finish(self) -> Vec<String> {
        let mut stop = TcpStream::connect(("127.0.0.1", self.port)).expect("the proxy accepts");
        stop.write_all(format!("{STOP}\r\n").as_bytes()).unwrap();
        drop(stop);
        self.thread.join().expect("the proxy thread");
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// The first line a client sends (up to 4 KiB, waiting at most 2 s), or a placeholder.
fn first_line(stream: TcpStream) -> String {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut line = String::new();
    let _ = BufReader::new(stream.take(4096)).read_line(&mut line);
    match line.trim_end() {
        "" => "(a connection that sent no request line)".to_string(),
        l => l.to_string(),
    }
}

/// What Chromium made of one page.
struct Visit {
    /// The screenshot (PNG).
    png: Vec<u8>,
    /// The DOM after loading, serialised as HTML.
    dom: String,
    /// The first line of every connection made to the proxy, in both runs.
    requests: Vec<String>,
}

/// Opens `page` twice (screenshot, then DOM dump), each time with a fresh profile and proxy.
fn visit(browser: &Path, page: &Path) -> Visit {
    let work = tempfile::tempdir().unwrap();
    let shot = work.path().join("screenshot.png");
    let (_, mut requests) = run_chromium(
        browser,
        page,
        &format!("--screenshot={}", shot.display()),
        &work.path().join("shot"),
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot of {page:?}: {e}"));
    let (dom, more) = run_chromium(browser, page, "--dump-dom", &work.path().join("dom"));
    requests.extend(more);
    Visit { png, dom, requests }
}

/// Runs Chromium on `page` with `action` (its own profile, home and proxy under `dir`) and
/// returns its stdout and the requests the proxy saw.
fn run_chromium(browser: &Path, page: &Path, action: &str, dir: &Path) -> (String, Vec<String>) {
    use std::os::unix::process::CommandExt;

    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let proxy = Proxy::start();
    let started = Instant::now();
    let mut child = Command::new(browser)
        .args(FLAGS)
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", proxy.port))
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(action)
        .arg(file_url(page))
        // Crash reports and caches go to the temporary home, not the user's.
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_CACHE_HOME")
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        // Its own process group, so that a hung browser is killed with its helpers.
        .process_group(0)
        .spawn()
        .expect("chromium starts");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HARD_LIMIT {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium {action} {page:?} did not exit in {HARD_LIMIT:?}; stderr:\n{}",
                read(&err)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let requests = proxy.finish();
    assert!(
        status.success(),
        "chromium {action} {page:?}: {status}; stderr:\n{}",
        read(&err)
    );
    (read(&out), requests)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `file://` URL of `path`, every byte outside letters, digits and `/-._~` percent-encoded.
fn file_url(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap();
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Width, height and the share of pixels whose colour differs from the most common one (the
/// background) of a PNG: 0 for a page of one uniform colour.
fn ink(png: &[u8]) -> (u32, u32, f64) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("fits in memory")];
    let frame = reader.next_frame(&mut pixels).expect("a decodable PNG");
    let samples = frame.color_type.samples();
    let mut counts = std::collections::HashMap::<&[u8], usize>::new();
    for pixel in pixels[..frame.buffer_size()].chunks_exact(samples) {
        *counts.entry(pixel).or_default() += 1;
    }
    let total = (frame.width as usize * frame.height as usize).max(1);
    let background = counts.values().copied().max().unwrap_or(0);
    (
        frame.width,
        frame.height,
        1.0 - background as f64 / total as f64,
    )
}

/// Requires a screenshot of the window's size with at least 1% of its pixels off the
/// background colour (a rendered report has several percent: text, rules, tables, charts).
fn assert_not_blank(png: &[u8], what: &str) {
    let (width, height, ink) = ink(png);
    assert_eq!((width, height), (WIDTH, HEIGHT), "{what}: screenshot size");
    assert!(
        ink >= 0.01,
        "{what}: the screenshot is blank ({:.3}% of pixels off the background)",
        ink * 100.0
    );
}

/// Requires that Chromium made no connection at all while it had the page open.
fn assert_no_requests(visit: &Visit, what: &str) {
    assert!(
        visit.requests.is_empty(),
        "{what}: {} connection(s) to the proxy: {:#?}",
        visit.requests.len(),
        visit.requests
    );
}

/// Text with runs of white space (including no-break spaces) made one space, trimmed.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The headings of a Markdown document as a CommonMark reader sees them: text only, escapes
/// resolved, in order.
fn markdown_headings(md: &str) -> Vec<String> {
    let mut headings = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = current.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(h) = current.as_mut() {
                    h.push(' ');
                }
            }
            Event::End(TagEnd::Heading(_)) => headings.extend(current.take().map(|h| squeeze(&h))),
            _ => {}
        }
    }
    headings
}

/// The text of every `<h1>`..`<h6>` element of a DOM serialised by Chromium, in order: inner
/// tags dropped, character references resolved.
fn dom_headings(dom: &str) -> Vec<String> {
    let mut headings = Vec::new();
    let mut rest = dom;
    while let Some(at) = rest.find("<h") {
        let after = &rest[at + 2..];
        let level = after.as_bytes().first().copied().unwrap_or(0);
        let next = after.as_bytes().get(1).copied().unwrap_or(0);
        if !(b'1'..=b'6').contains(&level) || !(next == b'>' || next == b' ') {
            rest = after;
            continue;
        }
        let close = format!("</h{}>", level as char);
        let Some(open_end) = after.find('>') else {
            break;
        };
        let body = &after[open_end + 1..];
        let Some(end) = body.find(&close) else { break };
        headings.push(squeeze(&decode(&strip_tags(&body[..end]))));
        rest = &body[end + close.len()..];
    }
    headings
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// Resolves the character references Chromium writes in text (`&amp;`, `&lt;`, `&gt;`,
/// `&nbsp;`, and numeric ones for good measure).
fn decode(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The headings of `expected` that are not, in the same order, among `found` (which may hold
/// more: the table of contents, the key results).
fn missing_headings(expected: &[String], found: &[String]) -> Vec<String> {
    let mut from = 0;
    let mut missing = Vec::new();
    for heading in expected {
        match found[from..].iter().position(|f| f == heading) {
            Some(i) => from += i + 1,
            None => missing.push(heading.clone()),
        }
    }
    missing
}

/// Every check on one rendered page; `md` is the Markdown twin of `html`, built from the same
/// inputs, and must have at least `min_headings` headings.
fn check_page(browser: &Path, html: &Path, md: &Path, min_headings: usize) {
    let what = html.file_name().unwrap().to_string_lossy().into_owned();
    let expected = markdown_headings(&read(md));
    assert!(
        expected.len() >= min_headings,
        "{what}: only {} headings in the Markdown twin: {expected:?}",
        expected.len()
    );
    let visit = visit(browser, html);
    assert_not_blank(&visit.png, &what);
    let found = dom_headings(&visit.dom);
    let missing = missing_headings(&expected, &found);
    assert!(
        missing.is_empty(),
        "{what}: headings of the Markdown report missing from the rendered page: {missing:?}\n\
         headings rendered: {found:#?}"
    );
    // The heading check can fail: without one of the headings Chromium rendered, it says so.
    let dropped = &expected[expected.len() / 2];
    let fewer: Vec<String> = found.iter().filter(|f| *f != dropped).cloned().collect();
    assert_eq!(
        missing_headings(&expected, &fewer),
        std::slice::from_ref(dropped),
        "{what}"
    );
    assert_no_requests(&visit, &what);
}

#[test]
fn a_sample_report_renders_with_every_heading_and_fetches_nothing() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = samples().join("submissions/harbour-bank-card-fraud/submission.yaml");
    let out = dir.path().join("bundle");
    build_ok(&config, &out, "html,md");
    // The title, 13 numbered sections and their sub-headings (22 in all); the floor only keeps
    // the check from passing on a Markdown report without headings.
    check_page(
        &browser,
        &out.join("report.html"),
        &out.join("report.md"),
        10,
    );
}

#[test]
fn the_cohort_summary_renders_with_every_heading_and_fetches_nothing() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("bundles");
    generate_bundles(&bundles, 5);
    let out = dir.path().join("cohort");
    let result = crate::cohort_support::cohort(&[&bundles], &out, &["--format", "html,md"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    // The title, 9 numbered sections and their sub-headings (12 in all).
    check_page(
        &browser,
        &out.join("cohort.html"),
        &out.join("cohort.md"),
        8,
    );
}

#[test]
fn the_proxy_sees_a_page_that_loads_a_remote_image() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("remote.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html>\n<html><body><h1>A remote image</h1>\
         <img src=\"https://example.com/x.png\" alt=\"x\"></body></html>\n",
    )
    .unwrap();
    let visit = visit(&browser, &page);
    assert!(
        !visit.requests.is_empty(),
        "the page's request for https://example.com/x.png was not seen"
    );
    assert!(
        visit.requests.iter().any(|r| r.contains("example.com")),
        "{:#?}",
        visit.requests
    );
}

#[test]
fn the_blank_check_sees_an_empty_page() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("empty.html");
    std::fs::write(&page, "<!DOCTYPE html>\n<html><body></body></html>\n").unwrap();
    let visit = visit(&browser, &page);
    let (width, height, ink) = ink(&visit.png);
    assert_eq!((width, height), (WIDTH, HEIGHT));
    assert_eq!(ink, 0.0, "an empty page is one colour");
    assert_no_requests(&visit, "empty.html");
}

/// The zh-HK report's HTML carries the glyphs of its Chinese text (an `@font-face` of
/// "Sandbox Report CJK" cut from the PDF's font): Chromium draws the page with them, so it
/// differs from the same page without them, which on a machine without a CJK font (this
/// project's, and CI's: `fc-list :lang=zh` lists none) shows every Chinese character as a box.
#[test]
fn a_zh_hk_page_draws_its_chinese_with_the_embedded_font() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = samples().join("submissions/kowloon-bay-bank-card-fraud-zh/submission.yaml");
    let out = dir.path().join("bundle");
    build_ok(&config, &out, "html");
    let page = out.join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let start = html
        .find("<style>\n@font-face")
        .expect("the embedded font's style");
    let end = start + html[start..].find("</style>\n").unwrap() + "</style>\n".len();
    assert_eq!(
        html[start..end]
            .matches("font-family: \"Sandbox Report CJK\"")
            .count(),
        2
    );
    let bare = dir.path().join("without-font.html");
    std::fs::write(&bare, format!("{}{}", &html[..start], &html[end..])).unwrap();
    let with = visit(&browser, &page);
    let without = visit(&browser, &bare);
    assert_not_blank(&with.png, "zh-HK report");
    assert_no_requests(&with, "zh-HK report");
    assert_ne!(
        ink(&with.png),
        ink(&without.png),
        "the page draws the same with and without its embedded font: Chromium did not use it"
    );
}
