//! The command line's grammar.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "Exit codes: 0 success; 1 unexpected failure (database, file system); \
2 wrong command line; 3 input refused (invalid field, unknown name, forbidden transition, attachment \
too large), nothing written; 4 ticket or record not found; 5 data directory not initialised or \
database damaged; 6 import file rejected, nothing written; 7 refused by the shared database \
(permission, login); 8 shared database unreachable.";

/// Guichet: tickets, deadlines and requests of a professional firm.
#[derive(Parser, Debug)]
#[command(name = "guichet", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The data directory (database and attachments). Default: the OS's per-user data directory.
    #[arg(long, global = true, env = "GUICHET_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Work against the firm's shared PostgreSQL database as the user of this
    /// URL (postgres://LOGIN@HOST:PORT/DB?sslmode=verify-full…): the data
    /// directory (by default one per login and server in the cache directory)
    /// is synced before the command and the command's changes are pushed
    /// after it. The password comes from PGPASSWORD, else the keychain.
    #[arg(long, global = true, env = "GUICHET_DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the data directory with the default categories and the local user.
    Init {
        /// The local user's login.
        #[arg(long, default_value_t = guichet_store::os_login())]
        login: String,
        /// The local user's display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Work with tickets.
    #[command(subcommand)]
    Ticket(TicketCmd),
    /// Manage users (staff).
    #[command(subcommand)]
    User(UserCmd),
    /// Manage teams and their members.
    #[command(subcommand)]
    Team(TeamCmd),
    /// Manage the category tree.
    #[command(subcommand)]
    Category(CategoryCmd),
    /// Manage external contacts (clients, third parties).
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Import an export file (JSON lines or CSV). All or nothing: every bad line is reported.
    Import {
        file: PathBuf,
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
    },
    /// Export everything, history included, as JSON lines or CSV.
    Export {
        /// Output file; standard output when absent or '-'.
        file: Option<PathBuf>,
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
    },
    /// Read or change settings of this data directory.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Load a generated demo firm (French and German tickets) for trying Guichet out.
    Demo {
        #[arg(long, default_value_t = 500)]
        tickets: usize,
        #[arg(long, default_value_t = 8)]
        events: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Check the database file for damage.
    Check,
    /// Administer the shared PostgreSQL database (schema, people, teams).
    #[command(subcommand)]
    Admin(AdminCmd),
    /// Make this data directory a replica of the shared database (needs --database-url).
    Connect {
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Keep the password in the operating system's keychain for later commands.
        #[arg(long)]
        remember: bool,
    },
    /// Push this replica's changes and pull everyone else's.
    Sync {
        /// Keep running: sync whenever the server announces a change.
        #[arg(long)]
        watch: bool,
    },
    /// Forget the password kept in the keychain for this replica's server.
    SignOut,
    /// Change your own password on the shared database.
    Password {
        /// Read the new password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show the data directory, this replica's code and counts.
    Status,
    /// Public holidays and deadline rollover, per country and region (needs no data directory).
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Ticket deadlines: an iCalendar feed of the open tickets' deadlines.
    #[command(subcommand)]
    Deadlines(DeadlinesCmd),
}

#[derive(Subcommand, Debug)]
pub enum DeadlinesCmd {
    /// Write the deadlines of open tickets as an iCalendar (.ics) feed on
    /// standard output, on their effective dates (after rollover).
    Ics {
        /// Only tickets assigned to this user (a login, or me).
        #[arg(long)]
        assignee: Option<String>,
        /// Only tickets of this team (its name).
        #[arg(long)]
        team: Option<String>,
        /// How many days ahead (overdue deadlines are always included).
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum CalendarCmd {
    /// A year's public holidays.
    Holidays {
        /// FR, DE, BE, LU, CH or AT.
        #[arg(long)]
        country: String,
        /// A German Land (BY, NW, …), an Alsace-Moselle département (57, 67, 68) or a Swiss canton (required for CH).
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        year: i32,
    },
    /// The effective deadline for a date: the date itself on a working day, otherwise the next working day.
    Deadline {
        #[arg(long)]
        country: String,
        #[arg(long)]
        region: Option<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Jsonl,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SortArg {
    Updated,
    Created,
    Due,
    Priority,
}

#[derive(Subcommand, Debug)]
pub enum TicketCmd {
    /// Record a new ticket.
    New(NewArgs),
    /// List tickets, by saved view and filters, most recently changed first.
    List(ListArgs),
    /// Show one ticket with its comments.
    Show { reference: String },
    /// Change fields of a ticket.
    Edit(EditArgs),
    /// Move a ticket to another status (new, open, in_progress, waiting, resolved, closed).
    Status { reference: String, status: String },
    /// Assign a ticket to a user (a login, `me`, or `none`) and/or a team.
    Assign {
        reference: String,
        /// A login, `me`, or `none` to unassign.
        user: Option<String>,
        #[arg(long)]
        team: Option<String>,
    },
    /// Add a reply, visible to the requester.
    Comment { reference: String, text: String },
    /// Add an internal note, for staff only.
    Note { reference: String, text: String },
    /// Attach a file.
    Attach { reference: String, file: PathBuf },
    /// Link two tickets: related, parent (TARGET is the parent), child, duplicate_of.
    Link {
        reference: String,
        kind: String,
        target: String,
        /// Remove the link instead.
        #[arg(long)]
        remove: bool,
    },
    /// Full-text search over titles, descriptions and comments (accents optional).
    Search {
        query: String,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// The ticket's history: every event, oldest first.
    History { reference: String },
}

#[derive(Args, Debug)]
pub struct NewArgs {
    #[arg(long)]
    pub title: String,
    #[arg(long, default_value = "")]
    pub description: String,
    #[arg(long, default_value = "client")]
    pub category: String,
    #[arg(long)]
    pub priority: Option<String>,
    /// A login, or `me`.
    #[arg(long)]
    pub assignee: Option<String>,
    #[arg(long)]
    pub team: Option<String>,
    /// A user's login or a contact's name.
    #[arg(long)]
    pub requester: Option<String>,
    /// Client or matter reference.
    #[arg(long)]
    pub matter: Option<String>,
    /// Due date, YYYY-MM-DD.
    #[arg(long)]
    pub due: Option<String>,
    #[arg(long = "tag")]
    pub tags: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// A saved view: mine, unassigned, overdue, due-this-week, waiting, open.
    #[arg(long)]
    pub view: Option<String>,
    #[arg(long = "status")]
    pub statuses: Vec<String>,
    #[arg(long = "priority")]
    pub priorities: Vec<String>,
    /// A login, `me`, or `none` for unassigned tickets.
    #[arg(long)]
    pub assignee: Option<String>,
    #[arg(long)]
    pub team: Option<String>,
    /// A category; its subcategories are included.
    #[arg(long)]
    pub category: Option<String>,
    /// A user's login or a contact's name.
    #[arg(long)]
    pub requester: Option<String>,
    #[arg(long)]
    pub tag: Option<String>,
    #[arg(long)]
    pub due_from: Option<String>,
    #[arg(long)]
    pub due_to: Option<String>,
    #[arg(long, value_enum, default_value_t = SortArg::Updated)]
    pub sort: SortArg,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    pub reference: String,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    #[arg(long)]
    pub priority: Option<String>,
    /// Client or matter reference; empty to clear.
    #[arg(long)]
    pub matter: Option<String>,
    /// Due date YYYY-MM-DD, or `none` to clear.
    #[arg(long)]
    pub due: Option<String>,
    /// A user's login or a contact's name, or `none`.
    #[arg(long)]
    pub requester: Option<String>,
    #[arg(long = "add-tag")]
    pub add_tags: Vec<String>,
    #[arg(long = "remove-tag")]
    pub remove_tags: Vec<String>,
    #[arg(long = "watch")]
    pub watch: Vec<String>,
    #[arg(long = "unwatch")]
    pub unwatch: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    Add {
        login: String,
        name: String,
        #[arg(long)]
        email: Option<String>,
    },
    List,
    /// Disabled users keep their history but can no longer act or be assigned.
    Disable {
        login: String,
    },
    Enable {
        login: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TeamCmd {
    Add {
        name: String,
    },
    List,
    AddMember {
        team: String,
        login: String,
    },
    RemoveMember {
        team: String,
        login: String,
    },
    /// Name the team's lead (a login, or `none`): escalations reach them after the assignee.
    Lead {
        team: String,
        login: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum CategoryCmd {
    /// Add a category; its key's path gives its parent (client/tax is under client).
    Add {
        key: String,
        #[arg(long)]
        en: String,
        #[arg(long)]
        fr: String,
        #[arg(long)]
        de: String,
        /// Visible only to its team in shared mode (HR).
        #[arg(long)]
        confidential: bool,
    },
    List,
}

#[derive(Subcommand, Debug)]
pub enum ContactCmd {
    Add {
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        organisation: Option<String>,
    },
    List,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Show all settings.
    Get,
    /// Change a setting. Known: attachment-max-bytes.
    Set { key: String, value: String },
}

#[derive(Subcommand, Debug)]
pub enum AdminCmd {
    /// Create (or upgrade) the schema, roles and policies, and the first administrator.
    /// Run as the server's superuser; re-running changes nothing already there.
    Init {
        /// The first administrator's login (also their database role).
        #[arg(long)]
        admin: String,
        #[arg(long)]
        name: String,
        /// Read the administrator's password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// People: one database login role each.
    #[command(subcommand)]
    User(AdminUserCmd),
    /// Teams and their members.
    #[command(subcommand)]
    Team(AdminTeamCmd),
    /// Make a category confidential to one team (HR), or ordinary again with `none`.
    Confidential { category: String, team: String },
    /// Import the local data directory (--data-dir), history included.
    Import,
}

#[derive(Subcommand, Debug)]
pub enum AdminUserCmd {
    Add {
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// admin, lead, staff or requester.
        #[arg(long, default_value = "staff")]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Use a login role that already exists (made by LDAP/AD sync): no password is set.
        #[arg(long)]
        existing_role: bool,
    },
    /// The user can no longer log in; their history stays.
    Disable { login: String },
    /// Set a new password (read from standard input).
    ResetPassword { login: String },
    /// Change a user's role.
    Role { login: String, role: String },
}

#[derive(Subcommand, Debug)]
pub enum AdminTeamCmd {
    Add {
        name: String,
    },
    /// Add a member (or remove with --remove).
    Member {
        team: String,
        login: String,
        #[arg(long)]
        remove: bool,
    },
    /// Set the team lead, or `none`.
    Lead {
        team: String,
        login: String,
    },
}
