// Package events is ledarforum, visionsdag and other events of a kommun: the event with its agenda,
// personal invitations by e-mail with an .ics file, answers with capacity and a waitlist, reminders,
// check-in at the door (also offline, on several devices and doors at once), mingling groups that mix
// förvaltningar and avoid pairs who have met, follow-up questions, attendance and the participant list.
package events
