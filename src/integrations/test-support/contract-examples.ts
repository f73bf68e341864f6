// Valid requests and answers of every endpoint, as the stubs play them.

const macros = { calories: 520, protein: 32, carbs: 48, fat: 20 };

export const workoutExamples = {
  generatePlanRequest: {
    clientReference: 'u_7f3a9c',
    profile: { fitnessLevel: 'beginner' as const, goals: ['muscle_gain' as const], age: 29 },
    preferences: { daysPerWeek: 3, sessionMinutes: 45, equipment: ['dumbbells'] },
  },
  plan: {
    externalId: 'wp_123',
    name: 'Beginner strength, 3 days',
    planData: {
      workoutDays: [
        {
          muscleGroup: 'legs',
          dayOrder: 1,
          exercises: [
            { exerciseId: 'ex_squat', exerciseName: 'Goblet squat', sets: 3, reps: 10, seconds: 0 },
            { exerciseId: 'ex_plank', exerciseName: 'Plank', sets: 3, reps: 0, seconds: 45 },
          ],
        },
      ],
    },
  },
  exercisePage: {
    exercises: [
      {
        exerciseId: 'ex_squat',
        name: 'Goblet squat',
        muscleGroups: ['legs'],
        equipment: ['dumbbells'],
        difficulty: 'beginner',
      },
    ],
    nextCursor: null,
  },
};

export const mealExamples = {
  analyzeRequest: {
    image: {
      base64: Buffer.from('fake jpeg bytes').toString('base64'),
      contentType: 'image/jpeg' as const,
    },
    mealType: 'lunch' as const,
  },
  analysis: {
    analysisId: 'an_42',
    items: [{ name: 'Grilled chicken', grams: 150, macros }],
    macros,
    confidence: 0.82,
  },
  confidence: {
    analysisId: 'an_42',
    confidence: 0.82,
    needsReview: false,
    items: [{ name: 'Grilled chicken', confidence: 0.9 }],
  },
};

export const nutritionExamples = {
  mealPlanRequest: {
    clientReference: 'u_7f3a9c',
    targets: { calories: 2200, protein: 150, carbs: 220, fat: 70 },
    preferences: { dietType: 'vegetarian' as const },
    days: 1,
  },
  mealPlan: {
    externalId: 'np_9',
    name: 'Vegetarian, 2200 kcal',
    days: [
      {
        dayOrder: 1,
        macros,
        meals: [
          {
            mealType: 'lunch',
            name: 'Lentil bowl',
            foods: [{ foodId: 'f_lentils', name: 'Lentils, cooked', grams: 200, macros }],
            macros,
          },
        ],
      },
    ],
  },
  macrosRequest: {
    sex: 'female' as const,
    age: 31,
    heightCm: 168,
    weightKg: 64,
    activityLevel: 'moderate' as const,
    goal: 'maintain' as const,
  },
  macroTargets: {
    bmr: 1390,
    tdee: 2155,
    targets: { calories: 2155, protein: 128, carbs: 242, fat: 72 },
  },
  foodPage: {
    foods: [
      {
        foodId: 'f_lentils',
        name: 'Lentils, cooked',
        servingGrams: 200,
        macrosPer100g: { calories: 116, protein: 9, carbs: 20, fat: 0.4 },
      },
    ],
    nextCursor: 'c2',
  },
};

export const scanningExamples = {
  processRequest: {
    clientReference: 'u_7f3a9c',
    scan: {
      device: 'inbody' as const,
      measuredAt: '2026-03-01T08:30:00Z',
      heightCm: 178,
      weightKg: 81.4,
      bodyFatPercent: 18.2,
      skeletalMuscleMassKg: 37.9,
    },
  },
  job: { jobId: 'job_77', status: 'queued' },
  status: {
    jobId: 'job_77',
    status: 'completed',
    progress: 1,
    result: { avatarUrl: 'https://cdn.example.com/avatars/job_77.glb', metrics: { waistCm: 84 } },
    error: null,
  },
};
