/**
 * A rough guess whether a message is in a language the offline model can't
 * read. It only needs to tell English from the rest, so it counts common
 * function words of a few languages and letters outside the Latin script.
 */

/** Languages the offline model can name in its hand-off message. */
export type ForeignLanguage = 'es' | 'fr' | 'de' | 'pt' | 'it' | 'other';

const WORDS: Record<Exclude<ForeignLanguage, 'other'>, string[]> = {
  es: ['hola', 'dónde', 'donde', 'está', 'esta', 'mi', 'pedido', 'cobrado', 'cobraron', 'por', 'qué', 'que', 'quiero', 'contraseña', 'cuenta', 'gracias', 'una', 'el', 'los', 'dos', 'veces', 'ayuda', 'necesito', 'reembolso', 'no', 'puedo'],
  fr: ['bonjour', 'où', 'est', 'ma', 'mon', 'commande', 'je', 'pourquoi', 'deux', 'fois', 'mot', 'passe', 'compte', 'merci', 'une', 'le', 'les', 'remboursement', 'veux', "j'ai", 'suis', 'pas', 'aide'],
  de: ['hallo', 'wo', 'ist', 'meine', 'mein', 'bestellung', 'ich', 'warum', 'zweimal', 'passwort', 'konto', 'danke', 'eine', 'der', 'die', 'das', 'nicht', 'rückerstattung', 'möchte', 'wurde', 'bitte', 'hilfe'],
  pt: ['olá', 'ola', 'onde', 'está', 'meu', 'minha', 'pedido', 'por', 'que', 'duas', 'vezes', 'senha', 'conta', 'obrigado', 'obrigada', 'uma', 'não', 'reembolso', 'quero', 'ajuda', 'fui', 'cobrado'],
  it: ['ciao', 'dove', 'è', 'il', 'mio', 'mia', 'ordine', 'perché', 'due', 'volte', 'password', 'conto', 'grazie', 'una', 'non', 'rimborso', 'voglio', 'aiuto', 'addebitato'],
};
const ENGLISH = new Set(['i', 'my', 'the', 'is', 'was', 'why', 'where', 'what', 'how', 'a', 'an', 'to', 'and', 'you', 'me', 'it', 'can', 'order', 'please', 'charged', 'twice', 'want', 'help', 'account', 'password', 'of', 'for', 'in', 'on', 'with', 'do', 'does', 'this', 'that', 'have', 'not']);

/** The language of `text` when it is clearly not English; undefined for English, ids or very short text. */
export function detectForeignLanguage(text: string): ForeignLanguage | undefined {
  const lower = text.toLowerCase();
  const letters = [...lower].filter((c) => /\p{L}/u.test(c));
  const nonLatin = letters.filter((c) => !/\p{Script=Latin}/u.test(c)).length;
  if (letters.length > 0 && nonLatin >= 2 && nonLatin / letters.length > 0.3) return 'other';

  const words = lower.split(/[^\p{L}']+/u).filter(Boolean);
  if (words.length < 2) return undefined;
  const english = words.filter((w) => ENGLISH.has(w)).length;
  let best: { language: ForeignLanguage; hits: number } | undefined;
  for (const [language, list] of Object.entries(WORDS) as Array<[Exclude<ForeignLanguage, 'other'>, string[]]>) {
    const vocabulary = new Set(list);
    const hits = words.filter((w) => vocabulary.has(w) && !ENGLISH.has(w)).length;
    if (!best || hits > best.hits) best = { language, hits };
  }
  return best && best.hits >= 2 && best.hits > english ? best.language : undefined;
}

/** "I can only help in English" in the customer's language, then in English. */
export function englishOnlyReply(language: ForeignLanguage): string {
  const local: Record<ForeignLanguage, string> = {
    es: 'Lo siento, solo puedo ayudar en inglés. He pedido a una persona de nuestro equipo que continúe esta conversación; le responderá aquí.',
    fr: "Désolé, je ne peux aider qu'en anglais. J'ai demandé à une personne de notre équipe de reprendre cette conversation ; elle vous répondra ici.",
    de: 'Entschuldigung, ich kann nur auf Englisch helfen. Ich habe eine Person aus unserem Team gebeten, dieses Gespräch zu übernehmen; sie antwortet hier.',
    pt: 'Desculpe, só consigo ajudar em inglês. Pedi a uma pessoa da nossa equipe que assuma esta conversa; ela responderá aqui.',
    it: 'Mi dispiace, posso aiutare solo in inglese. Ho chiesto a una persona del nostro team di continuare questa conversazione; risponderà qui.',
    other: '',
  };
  const english = "Sorry, I can only help in English, so I've asked a person from our team to take over this conversation; they'll reply right here.";
  return [local[language], english].filter(Boolean).join('\n\n');
}
