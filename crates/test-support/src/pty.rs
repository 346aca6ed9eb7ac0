//! A pseudo-terminal from the system's pty device (Unix): runs a command with its stdin and
//! stderr (and optionally stdout) on a terminal of a given width, to test what a program draws
//! or asks when it has a terminal, which CI does not give it.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rustix::fs::{Mode, OFlags};
use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcsetwinsize, Winsize};

/// Runs `cmd` with stdin and stderr on a new terminal of `cols` columns (stdout too when
/// `stdout_on_tty`, else a pipe that is drained), and returns its exit status and everything
/// written to the terminal.
pub fn run(cmd: Command, cols: u16, stdout_on_tty: bool) -> (ExitStatus, String) {
    run_typing(cmd, cols, stdout_on_tty, b"")
}

/// Like [`run`], with `typed` written to the terminal once the command has started, as if
/// typed at its keyboard (say, `y\n` to answer a question; the terminal echoes it).
pub fn run_typing(
    mut cmd: Command,
    cols: u16,
    stdout_on_tty: bool,
    typed: &[u8],
) -> (ExitStatus, String) {
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("open a pty");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    let size = Winsize {
        ws_row: 24,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    tcsetwinsize(&master, size).expect("set the window size");
    let slave: OwnedFd = rustix::fs::open(
        name.as_c_str(),
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .expect("open the pty's slave");
    let clone = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup"));
    cmd.stdin(clone(&slave)).stderr(clone(&slave));
    if stdout_on_tty {
        cmd.stdout(clone(&slave));
    } else {
        cmd.stdout(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn");
    drop(cmd);
    drop(slave);
    let piped = child.stdout.take();
    let drain = std::thread::spawn(move || {
        let mut sink = Vec::new();
        if let Some(mut p) = piped {
            let _ = p.read_to_end(&mut sink);
        }
    });
    let mut terminal = std::fs::File::from(master);
    if !typed.is_empty() {
        terminal.write_all(typed).expect("type on the terminal");
    }
    let reader = std::thread::spawn(move || {
        let mut f = terminal;
        let mut all = Vec::new();
        let mut buf = [0u8; 4096];
        // read until every slave end is closed (EIO on Linux)
        while let Ok(n) = f.read(&mut buf) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        all
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the command did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drain.join().expect("drain");
    let bytes = reader.join().expect("reader");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The text pieces of terminal output: what lies between escape sequences, carriage returns
/// and newlines.
pub fn pieces(raw: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    // CSI: parameters, then one final byte in @..~
                    for d in chars.by_ref() {
                        if ('@'..='~').contains(&d) {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
                pieces.push(String::new());
            }
            '\r' | '\n' => pieces.push(String::new()),
            c => pieces.last_mut().expect("a piece").push(c),
        }
    }
    pieces.retain(|p| !p.trim().is_empty());
    pieces
}
