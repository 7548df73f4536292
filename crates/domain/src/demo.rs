//! A generator of a realistic firm's tickets, in French and German office and
//! legal language, from a fixed seed: demo data for new users and the data
//! set of the benchmarks. Pure: it returns events, it writes nothing.

use crate::event::{Change, Event, EventKind};
use crate::hlc::Clock;
use crate::ids::{EventId, TicketId, UserId};
use crate::reference::{ReplicaCode, TicketRef};
use crate::ticket::{Edit, NewTicket, Party, Priority, Ticket, Visibility};
use crate::{default_categories, Contact, Team, User, Workflow};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

/// SplitMix64: small, fast and the same on every platform, so a seed always
/// gives the same firm.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn uuid(&mut self, millis: u64) -> Uuid {
        // A UUIDv7 layout from the generator's own randomness, so ids repeat with the seed.
        let r = self.next();
        let mut b = [0u8; 16];
        b[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
        b[6..14].copy_from_slice(&r.to_be_bytes());
        b[14..].copy_from_slice(&(self.next() as u16).to_be_bytes());
        b[6] = 0x70 | (b[6] & 0x0f);
        b[8] = 0x80 | (b[8] & 0x3f);
        Uuid::from_bytes(b)
    }
}

const CLIENTS: &[&str] = &[
    "SARL Dubois & Fils",
    "Müller GmbH",
    "Boulangerie Lefèvre",
    "Schneider & Partner KG",
    "SCI Les Érables",
    "Bäckerei Weiß",
    "Fischer Immobilien AG",
    "Garage Moreau",
    "Hôtel du Lac SA",
    "Zahnarztpraxis Dr. Köhler",
    "Association Sainte-Geneviève",
    "Weingut Schäfer",
    "Pharmacie Girard",
    "Brauerei Hoffmann",
    "Cave Bérenger",
    "Maître Lambert (succession)",
    "Krüger Logistik GmbH",
    "Atelier Fauré",
    "Stadtwerke Süd",
    "Famille Nguyen",
];

const TITLES_FR: &[&str] = &[
    "Délai de réponse aux conclusions adverses – {c}",
    "Demande d'extrait Kbis pour {c}",
    "Relance TVA trimestrielle {c}",
    "Préparation de l'assemblée générale {c}",
    "Échéance de la déclaration de résultats {c}",
    "Signature électronique de l'acte {c}",
    "Contrôle fiscal : pièces à transmettre ({c})",
    "Révision du bail commercial {c}",
    "Imprimante du deuxième étage en panne",
    "Accès VPN impossible depuis le domicile",
    "Mise à jour du logiciel de comptabilité",
    "Congés d'été : planning de l'équipe",
    "Dépôt des comptes annuels au greffe – {c}",
    "Question du client sur les honoraires ({c})",
];

const TITLES_DE: &[&str] = &[
    "Fristverlängerung Klageerwiderung {c}",
    "Umsatzsteuervoranmeldung {c}",
    "Jahresabschluss {c} vorbereiten",
    "Fristenkontrolle Berufungsbegründung {c}",
    "Grundbuchauszug anfordern für {c}",
    "Mandantenanfrage zur Erbschaftsteuer ({c})",
    "Einspruch gegen Steuerbescheid {c}",
    "Gesellschafterversammlung {c} vorbereiten",
    "Drucker im dritten Obergeschoss defekt",
    "VPN-Zugang funktioniert nicht",
    "Neue Mitarbeiterin: Einarbeitung und Zugänge",
    "Urlaubsantrag für die Sommerferien",
    "Betriebsprüfung: Unterlagen zusammenstellen ({c})",
    "Kostennote an {c} erläutern",
];

const SENTENCES_FR: &[&str] = &[
    "Le client a appelé ce matin et souhaite une réponse avant la fin de la semaine.",
    "Merci de vérifier le délai de procédure avant toute démarche.",
    "Les pièces justificatives sont arrivées par courrier recommandé.",
    "Le greffe du tribunal de commerce demande une copie certifiée conforme.",
    "Il faut relancer l'administration fiscale pour le dégrèvement.",
    "Le dossier est complet, reste la validation par l'associé responsable.",
    "Le poste de travail ne démarre plus après la dernière mise à jour.",
    "Prévoir un rendez-vous avec le client pour signer la lettre de mission.",
    "La déclaration doit être télétransmise avant l'échéance du mois.",
    "L'expert-comptable attend le grand livre et la balance générale.",
];

const SENTENCES_DE: &[&str] = &[
    "Der Mandant hat heute früh angerufen und bittet um Rückmeldung bis Freitag.",
    "Bitte die Frist im Fristenkalender prüfen und vormerken.",
    "Die Belege sind per Einschreiben eingegangen.",
    "Das Finanzamt verlangt weitere Nachweise zur Betriebsausgabe.",
    "Der Schriftsatz muss vor Fristablauf beim Landgericht eingehen.",
    "Die Akte ist vollständig, es fehlt nur noch die Freigabe durch den Partner.",
    "Der Arbeitsplatzrechner startet nach dem letzten Update nicht mehr.",
    "Termin mit dem Mandanten zur Unterzeichnung der Vollmacht vereinbaren.",
    "Die Erklärung ist elektronisch über ELSTER zu übermitteln.",
    "Die Steuerberaterin wartet noch auf die Summen- und Saldenliste.",
];

const TAGS: &[&str] = &[
    "urgent-client",
    "tva",
    "ust",
    "frist",
    "délai",
    "greffe",
    "elster",
    "vpn",
    "bilan",
    "mahnung",
];

const PEOPLE: &[(&str, &str, &str)] = &[
    ("amartin", "Anne Martin", "fr"),
    ("jschmidt", "Jonas Schmidt", "de"),
    ("cbernard", "Claire Bernard", "fr"),
    ("lweber", "Lena Weber", "de"),
    ("tpetit", "Thomas Petit", "fr"),
    ("mbecker", "Maximilian Becker", "de"),
    ("sdurand", "Sophie Durand", "fr"),
    ("kwagner", "Katrin Wagner", "de"),
    ("pleroy", "Pierre Leroy", "fr"),
    ("ahoffmann", "Anna Hoffmann", "de"),
    ("emoreau", "Émilie Moreau", "fr"),
    ("fkoch", "Felix Koch", "de"),
];

/// The people of a generated firm.
#[derive(Debug, Clone)]
pub struct Firm {
    pub users: Vec<User>,
    pub teams: Vec<Team>,
    pub contacts: Vec<Contact>,
}

/// Generates one ticket's events at a time; each call moves the firm's time on.
pub struct Generator {
    rng: Rng,
    firm: Firm,
    categories: Vec<String>,
    workflow: Workflow,
    clock: Clock,
    replica: ReplicaCode,
    next_number: u64,
    now: DateTime<Utc>,
}

impl Generator {
    /// A firm of twelve people in four teams with twenty clients; tickets start at `start`.
    pub fn new(seed: u64, replica: ReplicaCode, start: DateTime<Utc>) -> Generator {
        let mut rng = Rng(seed);
        let ms = start.timestamp_millis() as u64;
        let users: Vec<User> = PEOPLE
            .iter()
            .map(|(login, name, _)| {
                let mut u = User::new(login, name, Some(&format!("{login}@cabinet.example")))
                    .expect("valid demo user");
                u.id = UserId(rng.uuid(ms));
                u
            })
            .collect();
        let team_names = [
            "Contentieux / Prozessführung",
            "Fiscal / Steuern",
            "Secrétariat / Sekretariat",
            "IT",
        ];
        let teams = team_names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut t = Team::new(n).expect("valid demo team");
                t.id = crate::TeamId(rng.uuid(ms));
                t.members = users
                    .iter()
                    .skip(i)
                    .step_by(team_names.len())
                    .map(|u| u.id)
                    .collect();
                t
            })
            .collect();
        let contacts = CLIENTS
            .iter()
            .map(|c| {
                let mut k = Contact::new(c, None, Some(c)).expect("valid demo contact");
                k.id = crate::ContactId(rng.uuid(ms));
                k
            })
            .collect();
        Generator {
            rng,
            firm: Firm {
                users,
                teams,
                contacts,
            },
            categories: default_categories().into_iter().map(|c| c.key).collect(),
            workflow: Workflow::default(),
            clock: Clock::new(replica.number(), crate::Hlc::ZERO),
            replica,
            next_number: 1,
            now: start,
        }
    }

    pub fn firm(&self) -> &Firm {
        &self.firm
    }

    fn text(&mut self, german: bool, sentences: usize) -> String {
        let pool = if german { SENTENCES_DE } else { SENTENCES_FR };
        (0..sentences)
            .map(|_| *self.rng.pick(pool))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn event(&mut self, ticket: TicketId, actor: UserId, kind: EventKind) -> Event {
        self.now += Duration::minutes(1 + self.rng.below(90) as i64);
        let ms = self.now.timestamp_millis() as u64;
        Event {
            id: EventId(self.rng.uuid(ms)),
            ticket,
            actor,
            hlc: self.clock.tick(ms),
            at: self.now,
            kind,
        }
    }

    /// One ticket: its creation and then `events - 1` further events, every one
    /// of them allowed by the workflow at the point it happens.
    pub fn ticket(&mut self, events: usize) -> Vec<Event> {
        let german = self.rng.chance(50);
        let client = *self.rng.pick(CLIENTS);
        let title = self
            .rng
            .pick(if german { TITLES_DE } else { TITLES_FR })
            .replace("{c}", client);
        let n_sentences = 1 + self.rng.below(3);
        let description = self.text(german, n_sentences);
        let users = self.firm.users.clone();
        let creator = self.rng.pick(&users).id;
        let team = self.rng.pick(&self.firm.teams.clone()).id;
        let category = self.rng.pick(&self.categories.clone()).clone();
        let due = self.rng.chance(40).then(|| {
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                + Duration::days(self.rng.below(700) as i64)
        });
        let requester = self.rng.pick(&self.firm.contacts.clone()).id;
        let input = NewTicket {
            title,
            description,
            category,
            priority: Some(*self.rng.pick(Priority::ALL)),
            assignee: self.rng.chance(70).then(|| self.rng.pick(&users).id),
            team: Some(team),
            requester: Some(Party::Contact(requester)),
            matter: self
                .rng
                .chance(60)
                .then(|| format!("{}/{:04}", 2024 + self.rng.below(3), self.rng.below(2000))),
            due,
            tags: (0..self.rng.below(3))
                .map(|_| self.rng.pick(TAGS).to_string())
                .collect(),
        };
        let reference = TicketRef {
            replica: self.replica,
            number: self.next_number,
        };
        self.next_number += 1;
        let data = input
            .validate(reference)
            .expect("generated ticket is valid");
        let id = TicketId(self.rng.uuid(self.now.timestamp_millis() as u64));
        let created = self.event(id, creator, EventKind::Created(Box::new(data)));
        let mut ticket = Ticket::replay([&created]).expect("creation event");
        let mut out = vec![created];
        while out.len() < events {
            let actor = self.rng.pick(&users).id;
            let kind = match self.rng.below(10) {
                0..=2 => {
                    let next = self.workflow.next(ticket.status);
                    let to = *self.rng.pick(&next);
                    EventKind::Changed(
                        ticket
                            .edit(Edit::Status(to), &self.workflow)
                            .unwrap()
                            .expect("a real move"),
                    )
                }
                3 => {
                    let who = Some(self.rng.pick(&users).id);
                    match ticket.edit(Edit::Assignee(who), &self.workflow).unwrap() {
                        Some(c) => EventKind::Changed(c),
                        None => continue,
                    }
                }
                4 => {
                    let p = *self.rng.pick(Priority::ALL);
                    match ticket.edit(Edit::Priority(p), &self.workflow).unwrap() {
                        Some(c @ Change::Priority { .. }) => EventKind::Changed(c),
                        _ => continue,
                    }
                }
                5 => EventKind::tag(true, *self.rng.pick(TAGS)).unwrap(),
                6 => EventKind::Commented {
                    visibility: Visibility::Internal,
                    body: self.text(german, 1),
                },
                _ => {
                    let n = 1 + self.rng.below(2);
                    EventKind::Commented {
                        visibility: Visibility::Reply,
                        body: self.text(german, n),
                    }
                }
            };
            let e = self.event(id, actor, kind);
            ticket.apply(&e);
            out.push(e);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_tickets() {
        let start = DateTime::parse_from_rfc3339("2026-01-05T08:00:00Z")
            .unwrap()
            .to_utc();
        let mut a = Generator::new(42, ReplicaCode::from_number(1), start);
        let mut b = Generator::new(42, ReplicaCode::from_number(1), start);
        for _ in 0..20 {
            assert_eq!(a.ticket(10), b.ticket(10));
        }
    }

    #[test]
    fn generated_events_pass_the_import_checks() {
        let start = DateTime::parse_from_rfc3339("2026-01-05T08:00:00Z")
            .unwrap()
            .to_utc();
        let mut g = Generator::new(7, ReplicaCode::from_number(3), start);
        for _ in 0..50 {
            let events = g.ticket(12);
            assert_eq!(events.len(), 12);
            for e in &events {
                e.kind.validate().unwrap();
            }
            assert!(events.windows(2).all(|w| w[0].hlc < w[1].hlc));
        }
    }
}
